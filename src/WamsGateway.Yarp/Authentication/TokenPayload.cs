using System.Buffers;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Text.Json;

namespace WamsGateway.Authentication;

/// <summary>
/// What the gateway reads from a compact JWS's payload before anything is validated, in one pass and without
/// allocating for an ordinary token: the issuer (it only chooses which authority checks the token), the current
/// actor of a delegated token, and the shapes refused outright because parsers disagree on them: a member named
/// twice, at the top or inside any object (RFC 7519 section 4: names must be unique; one parser keeps the first,
/// another the last, so a backend could see another user or actor than the gateway did) and a <c>exp</c>,
/// <c>nbf</c> or <c>iat</c> that is not a JSON number.
/// </summary>
/// <param name="Readable">False when the token is not three base64url parts with a JSON object in the middle.</param>
/// <param name="Issuer">The <c>iss</c> member when it is one string; null otherwise.</param>
/// <param name="Refusal"><see cref="DuplicateClaim"/>, <see cref="InvalidDate"/>, <see cref="InvalidSubject"/>, or null.</param>
/// <param name="Actor">For a token with <c>act</c>: the actor's <c>sub</c>, else its <c>client_id</c>, else empty; null without <c>act</c>.</param>
/// <param name="EmailVerified">
/// The authority's word that the address is the user's: <c>email</c> is a JSON string and <c>email_verified</c> the JSON
/// value <c>true</c> (not the string <c>"true"</c>, not an array holding <c>true</c>, which read as the same claim once parsed).
/// </param>
internal readonly record struct TokenPayload(bool Readable, string? Issuer, string? Refusal, string? Actor, bool EmailVerified = false)
{
    /// <summary>The description a refusal's challenge and problem carry: what is wrong, never the token's own text.</summary>
    public static string Describe(string refusal) => refusal switch
    {
        DuplicateClaim => "The token names a claim or a header parameter more than once",
        InvalidSubject => "The token's sub is not one non-empty string",
        _ => TokenDateException.Description,
    };

    /// <summary>A member of the payload or of the JOSE header, or of an object inside either, is named twice (names compared after unescaping).</summary>
    public const string DuplicateClaim = "duplicate_claim";

    /// <summary>A NumericDate member is not a JSON number (a string, an array...).</summary>
    public const string InvalidDate = "invalid_date";

    /// <summary>
    /// <c>sub</c> missing, empty, or not a JSON string (RFC 7519 section 4.1.2: a StringOrURI): the user the backend
    /// would be told of, as text, could be no one, or the same as another spelling's (<c>12345</c> and <c>"12345"</c>).
    /// </summary>
    public const string InvalidSubject = "invalid_subject";

    private const int StackNameBytes = 256;
    private const int StackMembers = 64;
    private const int NestedStackMembers = 16;

    private static readonly TokenPayload Unreadable = new(false, null, null, null);

    private static readonly SearchValues<char> CompactJwsCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static TokenPayload Read(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0 || token.AsSpan().ContainsAnyExcept(CompactJwsCharacters))
        {
            // RFC 7515 section 7.1: three parts of unpadded base64url. A padded or otherwise re-spelled copy of a
            // token would validate as the same token yet count as another (another cache entry, another exchange).
            return Unreadable;
        }

        var payload = token.AsSpan(first + 1, second - first - 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(Math.Max(payload.Length, first)));
        try
        {
            if (Base64Url.DecodeFromChars(payload, buffer, out _, out var written) != OperationStatus.Done)
            {
                return Unreadable;
            }

            var read = Read(buffer.AsSpan(0, written));
            if (read is not { Readable: true, Refusal: null })
            {
                return read;
            }

            // The header too: one JSON object and nothing after it (IdentityModel reads the first object of
            // {"alg":"RS256"}garbage), each name once (RFC 7515 section 4: {"alg":"none","alg":"RS256"} is read as the one
            // or the other depending on the parser).
            if (Base64Url.DecodeFromChars(token.AsSpan(0, first), buffer, out _, out written) != OperationStatus.Done)
            {
                return Unreadable;
            }

            return ReadHeader(buffer.AsSpan(0, written)) switch
            {
                HeaderShape.Unreadable => Unreadable,
                HeaderShape.DuplicateMember => read with { Refusal = DuplicateClaim },
                _ => read,
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static HeaderShape ReadHeader(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return HeaderShape.Unreadable;
            }

            var duplicate = HasNestedDuplicate(ref reader);
            return reader.Read() ? HeaderShape.Unreadable : duplicate ? HeaderShape.DuplicateMember : HeaderShape.Good;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return HeaderShape.Unreadable;
        }
    }

    private enum HeaderShape
    {
        Good,
        DuplicateMember,
        Unreadable,
    }

    internal static TokenPayload Read(ReadOnlySpan<byte> json)
    {
        Span<ulong> seen = stackalloc ulong[StackMembers];
        HashSet<ulong>? more = null;
        var members = 0;
        var duplicate = false;
        var badDate = false;
        var goodSubject = false;
        var emailIsText = false;
        var emailVerified = false;
        string? issuer = null;
        var issuers = 0;
        string? actor = null;
        Span<byte> nameBuffer = stackalloc byte[StackNameBytes];
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Unreadable;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Compared unescaped: "i\u0073s" is iss.
                scoped ReadOnlySpan<byte> name;
                byte[]? rented = null;
                if (!reader.ValueIsEscaped)
                {
                    name = reader.ValueSpan;
                }
                else
                {
                    var target = reader.ValueSpan.Length <= nameBuffer.Length ? nameBuffer : rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                    name = target[..reader.CopyString(target)];
                }

                try
                {
                    duplicate |= SeenBefore(XxHash3.HashToUInt64(name), seen, ref more, ref members);
                    var member = name.SequenceEqual("iss"u8) ? Member.Issuer
                        : name.SequenceEqual("sub"u8) ? Member.Subject
                        : name.SequenceEqual("email"u8) ? Member.Email
                        : name.SequenceEqual("email_verified"u8) ? Member.EmailVerified
                        : name.SequenceEqual("act"u8) ? Member.Actor
                        : name.SequenceEqual("exp"u8) || name.SequenceEqual("nbf"u8) || name.SequenceEqual("iat"u8) ? Member.Date
                        : Member.Other;
                    if (!reader.Read())
                    {
                        return Unreadable;
                    }

                    switch (member)
                    {
                        case Member.Issuer:
                            issuers++;
                            issuer = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                            break;
                        case Member.Date:
                            badDate |= reader.TokenType != JsonTokenType.Number;
                            reader.Skip();
                            break;
                        case Member.Subject:
                            goodSubject = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                            reader.Skip();
                            break;
                        case Member.Email:
                            emailIsText = reader.TokenType == JsonTokenType.String;
                            reader.Skip();
                            break;
                        case Member.EmailVerified:
                            emailVerified = reader.TokenType == JsonTokenType.True;
                            reader.Skip();
                            break;
                        case Member.Actor:
                            var probe = reader;
                            duplicate |= HasNestedDuplicate(ref probe);
                            actor = ReadActor(ref reader);
                            break;
                        default:
                            duplicate |= HasNestedDuplicate(ref reader);
                            break;
                    }
                }
                finally
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Unreadable;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that escapes a lone surrogate (no text it could name): not a token to validate.
            return Unreadable;
        }

        var refusal = duplicate ? DuplicateClaim : badDate ? InvalidDate : !goodSubject ? InvalidSubject : null;
        return new TokenPayload(true, issuers == 1 ? issuer : null, refusal, actor, emailIsText && emailVerified);
    }

    /// <summary>
    /// At a member's value: whether an object anywhere inside it names a member twice (an actor's <c>sub</c>, a custom
    /// claim a backend reads); the reader ends on the value's last token. A scalar is read as it is.
    /// </summary>
    private static bool HasNestedDuplicate(ref Utf8JsonReader reader)
    {
        var duplicate = false;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                duplicate |= HasNestedDuplicate(ref reader);
            }

            return duplicate;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        Span<ulong> seen = stackalloc ulong[NestedStackMembers];
        HashSet<ulong>? more = null;
        var members = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            duplicate |= SeenBefore(HashName(ref reader), seen, ref more, ref members);
            reader.Read();
            duplicate |= HasNestedDuplicate(ref reader);
        }

        return duplicate;
    }

    /// <summary>
    /// Whether an object's member name (hashed) came before in it; notes it. The first names go in <paramref name="seen"/>
    /// (on the stack), the rest in <paramref name="more"/>, made when <paramref name="seen"/> is full.
    /// </summary>
    private static bool SeenBefore(ulong hash, Span<ulong> seen, ref HashSet<ulong>? more, ref int members)
    {
        bool before;
        if (members < seen.Length)
        {
            before = seen[..members].Contains(hash);
            seen[members] = hash;
        }
        else
        {
            more ??= [.. seen];
            before = !more.Add(hash);
        }

        members++;
        return before;
    }

    /// <summary>The member name the reader is on, unescaped, hashed.</summary>
    private static ulong HashName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return XxHash3.HashToUInt64(reader.ValueSpan);
        }

        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            return XxHash3.HashToUInt64(rented.AsSpan(0, reader.CopyString(rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>At <c>act</c>'s value: the actor's <c>sub</c>, else its <c>client_id</c>, else empty; the reader ends on the value's last token.</summary>
    private static string ReadActor(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return string.Empty;
        }

        string? subject = null;
        string? client = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSubject = reader.ValueTextEquals("sub"u8);
            var isClient = reader.ValueTextEquals("client_id"u8);
            reader.Read();
            if (isSubject && reader.TokenType == JsonTokenType.String)
            {
                subject ??= reader.GetString();
            }
            else if (isClient && reader.TokenType == JsonTokenType.String)
            {
                client ??= reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return subject ?? client ?? string.Empty;
    }

    private enum Member
    {
        Other,
        Issuer,
        Subject,
        Email,
        EmailVerified,
        Date,
        Actor,
    }
}
