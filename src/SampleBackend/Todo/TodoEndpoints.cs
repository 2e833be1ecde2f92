using System.Text.Json;
using SampleBackend.Zumo;

namespace SampleBackend.Todo;

/// <summary>
/// The seed tutorial's table API: only signed-in users; inserts get the caller's user id whatever the
/// body says; reads, updates and deletes see the caller's rows only (another user's row is 404).
/// </summary>
public static class TodoEndpoints
{
    public static void MapTodoTable(this IEndpointRouteBuilder endpoints)
    {
        var table = endpoints.MapGroup("/tables/todoitem").AddEndpointFilter<ZumoAuthFilter>();

        // The caller's rows, then the SDK's query options over them (TableQuery): a query only narrows them.
        table.MapGet("/", async (HttpContext context, TodoStore store) =>
        {
            TableQuery query;
            try
            {
                query = TableQuery.Parse(context.Request.Query);
            }
            catch (TableQueryException ex)
            {
                return BadRequest(ex.Message);
            }

            return Results.Json(query.Apply(await store.ListAsync(ZumoAuthFilter.User(context).UserId, context.RequestAborted)));
        });

        table.MapGet("/{id}", async (string id, HttpContext context, TodoStore store) =>
            await store.FindAsync(ZumoAuthFilter.User(context).UserId, id, context.RequestAborted) is { } item ? Results.Ok(item) : NotFound(id));

        table.MapPost("/", async (HttpContext context, TodoStore store) =>
        {
            var body = await ReadBodyAsync(context);
            if (body is null || body.Value.Text is null)
            {
                return BadRequest("Send a JSON object with a string 'text' (and optionally a boolean 'complete').");
            }

            var item = await store.InsertAsync(ZumoAuthFilter.User(context).UserId, body.Value.Text, body.Value.Complete ?? false, context.RequestAborted);
            return Results.Created($"/tables/todoitem/{item.Id}", item);
        });

        table.MapMethods("/{id}", [HttpMethods.Patch], async (string id, HttpContext context, TodoStore store) =>
        {
            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                return BadRequest("Send a JSON object with 'text' and/or 'complete'.");
            }

            var item = await store.UpdateAsync(ZumoAuthFilter.User(context).UserId, id, body.Value.Text, body.Value.Complete, context.RequestAborted);
            return item is null ? NotFound(id) : Results.Ok(item);
        });

        table.MapDelete("/{id}", async (string id, HttpContext context, TodoStore store) =>
            await store.DeleteAsync(ZumoAuthFilter.User(context).UserId, id, context.RequestAborted) ? Results.NoContent() : NotFound(id));
    }

    private static IResult NotFound(string id) =>
        Results.Json(new { error = "not_found", message = $"No todoitem '{id}' for this user." }, statusCode: StatusCodes.Status404NotFound);

    private static IResult BadRequest(string message) =>
        Results.Json(new { error = "bad_request", message }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Reads <c>text</c> and <c>complete</c>; <c>id</c>, <c>userId</c> and anything else in the body are ignored.</summary>
    private static async Task<(string? Text, bool? Complete)?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? text = null;
            bool? complete = null;
            if (root.TryGetProperty("text", out var t))
            {
                if (t.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                text = t.GetString();
            }

            if (root.TryGetProperty("complete", out var c))
            {
                if (c.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return null;
                }

                complete = c.GetBoolean();
            }

            return (text, complete);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
