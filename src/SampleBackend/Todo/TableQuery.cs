using System.Globalization;
using System.Text.Json.Nodes;

namespace SampleBackend.Todo;

/// <summary>
/// The OData v3 query options the Mobile Services SDK sends for the tutorial's LINQ queries, applied to
/// the caller's rows (read first, so a query can only narrow them): <c>$filter</c> with <c>eq</c>,
/// <c>ne</c>, <c>and</c>, <c>or</c>, <c>not</c> and parentheses over the table's columns and string,
/// boolean and null literals; <c>$orderby</c> (<c>asc</c>/<c>desc</c>), <c>$skip</c>, <c>$top</c>,
/// <c>$select</c>, <c>$inlinecount=allpages</c>. Anything else is a <see cref="TableQueryException"/>
/// (400). No part of a query ever reaches SQL.
/// </summary>
public sealed class TableQuery
{
    public const int MaxTop = 1000;

    private static readonly Dictionary<string, Func<TodoItem, object?>> Columns = new(StringComparer.Ordinal)
    {
        ["id"] = t => t.Id,
        ["text"] = t => t.Text,
        ["complete"] = t => t.Complete,
        ["userId"] = t => t.UserId,
        ["createdAt"] = t => t.CreatedAt,
        ["updatedAt"] = t => t.UpdatedAt,
    };

    private Func<TodoItem, bool> _filter = _ => true;
    private readonly List<(string Column, bool Descending)> _order = [];
    private List<string>? _select;
    private int _skip;
    private int _top = MaxTop;
    private bool _count;

    /// <summary>Reads the query string; unknown <c>$</c> options and unsupported expressions are refused.</summary>
    public static TableQuery Parse(IQueryCollection query)
    {
        var parsed = new TableQuery();
        foreach (var (name, values) in query)
        {
            if (!name.StartsWith('$'))
            {
                continue;
            }

            if (values.Count != 1)
            {
                throw new TableQueryException($"{name} is given more than once.");
            }

            var value = values[0]!;
            switch (name)
            {
                case "$filter":
                    parsed._filter = new FilterParser(value).Parse();
                    break;
                case "$orderby":
                    parsed._order.AddRange(value.Split(',').Select(ParseOrder));
                    break;
                case "$select":
                    parsed._select = value.Split(',').Select(c => Column(c.Trim())).ToList();
                    break;
                case "$skip":
                    parsed._skip = Count(name, value, int.MaxValue);
                    break;
                case "$top":
                    parsed._top = Count(name, value, MaxTop);
                    break;
                case "$inlinecount":
                    parsed._count = value switch
                    {
                        "allpages" => true,
                        "none" => false,
                        _ => throw new TableQueryException("$inlinecount is allpages or none."),
                    };
                    break;
                default:
                    throw new TableQueryException($"{name} is not supported; this table answers $filter, $orderby, $top, $skip, $select and $inlinecount.");
            }
        }

        return parsed;
    }

    /// <summary>The SDK's answer: a bare array, or <c>{"results": [...], "count": N}</c> with <c>$inlinecount=allpages</c>.</summary>
    public JsonNode Apply(IEnumerable<TodoItem> rows)
    {
        var matching = rows.Where(_filter).ToList();
        IEnumerable<TodoItem> ordered = matching;
        if (_order.Count > 0)
        {
            var sorted = _order[0].Descending ? matching.OrderByDescending(Columns[_order[0].Column], Comparer.Instance) : matching.OrderBy(Columns[_order[0].Column], Comparer.Instance);
            foreach (var (column, descending) in _order.Skip(1))
            {
                sorted = descending ? sorted.ThenByDescending(Columns[column], Comparer.Instance) : sorted.ThenBy(Columns[column], Comparer.Instance);
            }

            ordered = sorted;
        }

        var page = new JsonArray(ordered.Skip(_skip).Take(_top).Select(Project).ToArray());
        return _count ? new JsonObject { ["results"] = page, ["count"] = matching.Count } : page;
    }

    private JsonNode Project(TodoItem item)
    {
        var all = System.Text.Json.JsonSerializer.SerializeToNode(item)!.AsObject();
        if (_select is null)
        {
            return all;
        }

        var selected = new JsonObject();
        foreach (var column in _select)
        {
            selected[column] = all[column]?.DeepClone();
        }

        return selected;
    }

    private static (string, bool) ParseOrder(string clause)
    {
        var parts = clause.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            [var column] => (Column(column), false),
            [var column, "asc"] => (Column(column), false),
            [var column, "desc"] => (Column(column), true),
            _ => throw new TableQueryException($"$orderby: '{clause}' is not 'column', 'column asc' or 'column desc'."),
        };
    }

    private static string Column(string name) =>
        Columns.ContainsKey(name) ? name : throw new TableQueryException($"'{name}' is not a column of todoitem ({string.Join(", ", Columns.Keys)}).");

    private static int Count(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n
            : throw new TableQueryException($"{name} is a whole number from 0 to {max}.");

    /// <summary>Orders strings ordinally, booleans false first, dates by instant, nulls first.</summary>
    private sealed class Comparer : IComparer<object?>
    {
        public static readonly Comparer Instance = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (string a, string b) => string.CompareOrdinal(a, b),
            (IComparable a, _) => a.CompareTo(y),
            _ => 0,
        };
    }

    /// <summary>A recursive-descent parser for the <c>$filter</c> subset; each node a predicate over a row.</summary>
    private sealed class FilterParser
    {
        private const int MaxDepth = 32;
        private readonly string _text;
        private int _at;
        private int _depth;

        public FilterParser(string text) => _text = text;

        public Func<TodoItem, bool> Parse()
        {
            var expression = Or();
            SkipSpaces();
            return _at == _text.Length ? expression : throw Error($"unexpected '{_text[_at..]}'");
        }

        // A chain of terms is one flat list, so evaluating it never nests deeper than its parentheses do.
        private Func<TodoItem, bool> Or()
        {
            var terms = new List<Func<TodoItem, bool>> { And() };
            while (Keyword("or"))
            {
                terms.Add(And());
            }

            return terms.Count == 1 ? terms[0] : t => terms.Exists(term => term(t));
        }

        private Func<TodoItem, bool> And()
        {
            var terms = new List<Func<TodoItem, bool>> { Unary() };
            while (Keyword("and"))
            {
                terms.Add(Unary());
            }

            return terms.Count == 1 ? terms[0] : t => terms.TrueForAll(term => term(t));
        }

        private Func<TodoItem, bool> Unary()
        {
            if (++_depth > MaxDepth)
            {
                throw Error("nested too deeply");
            }

            try
            {
                if (Keyword("not"))
                {
                    var inner = Unary();
                    return t => !inner(t);
                }

                SkipSpaces();
                if (_at < _text.Length && _text[_at] == '(')
                {
                    _at++;
                    var inner = Or();
                    SkipSpaces();
                    if (_at >= _text.Length || _text[_at] != ')')
                    {
                        throw Error("a ')' is missing");
                    }

                    _at++;
                    return inner;
                }

                return Comparison();
            }
            finally
            {
                _depth--;
            }
        }

        private Func<TodoItem, bool> Comparison()
        {
            var left = Operand();
            var equal = Keyword("eq") ? true : Keyword("ne") ? false : throw Error("expected eq or ne (the only comparisons this table answers)");
            var right = Operand();
            return t => Equals(left(t), right(t)) == equal;
        }

        private Func<TodoItem, object?> Operand()
        {
            SkipSpaces();
            if (_at >= _text.Length)
            {
                throw Error("the expression ends early");
            }

            if (_text[_at] == '\'')
            {
                var literal = StringLiteral();
                return _ => literal;
            }

            var start = _at;
            while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] is '_' or '.' or '-'))
            {
                _at++;
            }

            var word = _text[start.._at];
            switch (word)
            {
                case "true":
                    return _ => true;
                case "false":
                    return _ => false;
                case "null":
                    return _ => null;
                case "":
                    throw Error($"unexpected '{_text[_at]}'");
            }

            if (Columns.TryGetValue(word, out var column))
            {
                return column;
            }

            throw Error($"'{word}' is not a column of todoitem, a string in quotes, true, false or null");
        }

        private string StringLiteral()
        {
            var value = new System.Text.StringBuilder();
            _at++;
            while (_at < _text.Length)
            {
                if (_text[_at] == '\'')
                {
                    if (_at + 1 < _text.Length && _text[_at + 1] == '\'')
                    {
                        value.Append('\'');
                        _at += 2;
                        continue;
                    }

                    _at++;
                    return value.ToString();
                }

                value.Append(_text[_at++]);
            }

            throw Error("a string is not closed");
        }

        private bool Keyword(string keyword)
        {
            SkipSpaces();
            var end = _at + keyword.Length;
            if (end <= _text.Length && string.CompareOrdinal(_text, _at, keyword, 0, keyword.Length) == 0
                && (end == _text.Length || _text[end] is ' ' or '('))
            {
                _at = end;
                return true;
            }

            return false;
        }

        private void SkipSpaces()
        {
            while (_at < _text.Length && _text[_at] == ' ')
            {
                _at++;
            }
        }

        private TableQueryException Error(string problem) => new($"$filter: {problem} (at character {_at + 1}).");
    }
}

/// <summary>A query option the table does not answer; the message says which and why.</summary>
public sealed class TableQueryException(string message) : Exception(message);
