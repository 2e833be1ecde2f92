using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WamsGateway.Exchanges;

namespace WamsGateway.Caching;

/// <summary>
/// How a cached credential is written to Redis: <see cref="DelegatedCredential"/> is a union whose cases
/// are the credential types the registered exchange kinds declare, each tagged with its type's full name.
/// A value naming any other type does not read (a miss, never an error answer).
/// </summary>
internal static class CredentialJson
{
    public static JsonSerializerOptions Options(ExchangeKinds kinds)
    {
        var types = kinds.All.SelectMany(k => k.CredentialTypes).Distinct().ToList();
        return new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers =
                {
                    info =>
                    {
                        if (info.Type != typeof(DelegatedCredential))
                        {
                            return;
                        }

                        info.PolymorphismOptions = new JsonPolymorphismOptions
                        {
                            TypeDiscriminatorPropertyName = "$type",
                            UnknownDerivedTypeHandling = System.Text.Json.Serialization.JsonUnknownDerivedTypeHandling.FailSerialization,
                        };
                        foreach (var type in types)
                        {
                            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.FullName!));
                        }
                    },
                },
            },
        };
    }
}
