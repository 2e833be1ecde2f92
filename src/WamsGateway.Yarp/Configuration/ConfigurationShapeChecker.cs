using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace WamsGateway.Configuration;

/// <summary>
/// Walks a configuration section against the options type it binds to, before binding, and
/// reports every value that cannot convert and every key the type does not know. The binder
/// itself stops at the first bad value; operators want them all, each with its key.
/// </summary>
internal static class ConfigurationShapeChecker
{
    /// <summary>The gateway's section: its settings, and each API's against its kind's options.</summary>
    /// <param name="section">The gateway's section.</param>
    /// <param name="kinds">The exchange kinds, whose settings an API's section may hold; null while none are known.</param>
    /// <param name="otherSections">Subsections the host's other packages bind (<see cref="GatewaySettingsSection"/>): not the gateway's to check.</param>
    public static ShapeProblems CheckGateway(IConfiguration section, Exchanges.ExchangeKinds? kinds, IReadOnlySet<string> otherSections)
    {
        var problems = new ShapeProblems();
        Check(section, typeof(WamsGatewayOptions), problems, otherSections);
        foreach (var api in section.GetSection(nameof(WamsGatewayOptions.Apis)).GetChildren())
        {
            var registration = kinds?.Registration(api[nameof(ApiOptions.Exchange)]);
            CheckApi(api, typeof(ApiOptions), registration?.OptionsType, kinds?.OptionsTypes ?? [], problems);
        }

        return problems;
    }

    /// <param name="section">The section.</param>
    /// <param name="type">The options type it binds to.</param>
    /// <param name="problems">Where each problem goes.</param>
    /// <param name="ignored">Keys of the section that other code binds: neither checked nor unknown.</param>
    public static void Check(IConfiguration section, Type type, ShapeProblems problems, IReadOnlySet<string>? ignored = null)
    {
        if (IsDictionary(type, out var valueType))
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, valueType, problems);
            }

            return;
        }

        CheckProperties(section, Properties(type), reportUnknown: true, problems, ignored);
    }

    /// <summary>
    /// An API's section: its common settings and its kind's, as one. Settings of the other registered
    /// kinds are accepted and ignored (switching an API's kind leaves no stale key fatal); anything else
    /// is unknown. Without a known kind only the common settings' values are checked (the unknown kind is
    /// the validator's to report).
    /// </summary>
    public static void CheckApi(IConfigurationSection section, Type common, Type? kind, IEnumerable<Type> otherKinds, ShapeProblems problems)
    {
        var properties = Properties(common);
        foreach (var (name, property) in kind is null ? [] : Properties(kind))
        {
            properties.TryAdd(name, property);
        }

        var ignored = otherKinds.SelectMany(t => Properties(t).Keys).Where(name => !properties.ContainsKey(name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        CheckProperties(section, properties, reportUnknown: kind is not null, problems, ignored);
    }

    private static Dictionary<string, PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static void CheckProperties(IConfiguration section, Dictionary<string, PropertyInfo> properties, bool reportUnknown, ShapeProblems problems, IReadOnlySet<string>? ignored = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                if (reportUnknown && ignored?.Contains(child.Key) != true)
                {
                    problems.Add(child.Path, $"{child.Path}: unknown setting. Known settings here: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}.");
                }

                continue;
            }

            // Each API's section is checked against its own kind (CheckApi).
            if (property.PropertyType == typeof(Dictionary<string, ApiOptions>))
            {
                continue;
            }

            CheckValue(child, property.PropertyType, problems);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, ShapeProblems problems)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            if (section.Value is null && section.GetChildren().Any())
            {
                problems.Add(section.Path, $"{section.Path}: expected a single value, found a section.");
            }

            return;
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>))
        {
            if (section.Value is { Length: > 0 })
            {
                problems.Add(section.Path, $"{section.Path}: expected a list (a JSON array), found a single value.");
            }

            return;
        }

        if (target.IsEnum || target.IsPrimitive || target == typeof(TimeSpan))
        {
            CheckScalar(section, target, problems);
            return;
        }

        Check(section, target, problems);
    }

    private static void CheckScalar(IConfigurationSection section, Type type, ShapeProblems problems)
    {
        var value = section.Value;
        if (value is null)
        {
            if (section.GetChildren().Any())
            {
                problems.Add(section.Path, $"{section.Path}: expected a single value, found a section.");
            }

            return;
        }

        if (type.IsEnum)
        {
            if (int.TryParse(value, CultureInfo.InvariantCulture, out _) || !Enum.TryParse(type, value, ignoreCase: true, out _))
            {
                problems.Add(section.Path, $"{section.Path}: '{value}' is not one of {string.Join(" | ", Enum.GetNames(type))}.");
            }

            return;
        }

        if (type == typeof(TimeSpan))
        {
            if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _))
            {
                problems.Add(section.Path, $"{section.Path}: '{value}' is not a TimeSpan; write it as hh:mm:ss (for example 00:00:30).");
            }

            return;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            problems.Add(section.Path, $"{section.Path}: '{value}' is not a valid {FriendlyName(type)}.");
        }
    }

    private static bool IsDictionary(Type type, out Type valueType)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            valueType = type.GetGenericArguments()[1];
            return true;
        }

        valueType = typeof(object);
        return false;
    }

    private static string FriendlyName(Type type) => type == typeof(bool) ? "boolean (true or false)"
        : type == typeof(int) ? "whole number"
        : type.Name;
}

/// <summary>Problems found by <see cref="ConfigurationShapeChecker"/>, with the keys they came from so binding can leave those out.</summary>
internal sealed class ShapeProblems
{
    private readonly HashSet<string> _paths = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Messages { get; } = [];

    public void Add(string path, string message)
    {
        _paths.Add(path);
        Messages.Add(message);
    }

    /// <summary>True when the key is one that failed, or lies under one: the key and each of its parents looked up, never a scan.</summary>
    public bool Covers(string path)
    {
        for (var key = path; key.Length > 0; key = ConfigurationPath.GetParentPath(key) ?? string.Empty)
        {
            if (_paths.Contains(key))
            {
                return true;
            }
        }

        return false;
    }
}
