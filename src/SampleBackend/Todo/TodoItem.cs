using System.Text.Json.Serialization;

namespace SampleBackend.Todo;

public sealed record TodoItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("complete")] bool Complete,
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);
