using System.Text;
using System.Text.Json.Nodes;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The JSON Canonicalization Scheme (RFC 8785): object members sorted by their names' UTF-16 code units,
/// no whitespace, strings escaped as ECMAScript's <c>JSON.stringify</c> escapes them, numbers written as
/// ECMAScript writes a double (shortest round-trip digits; exponent form below 1e-6 and from 1e21).
/// </summary>
internal static class Jcs
{
    public static string Serialize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? string.Empty : ",");
                    first = false;
                    WriteString(text, name);
                    text.Append(':');
                    Write(text, value);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ",");
                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                WriteString(text, s);
                break;
            case JsonValue value when value.TryGetValue<bool>(out var b):
                text.Append(b ? "true" : "false");
                break;
            case JsonValue value:
                text.Append(Number(value.GetValue<double>()));
                break;
        }
    }

    /// <summary>As <c>JSON.stringify</c> writes a string: only quote, backslash and controls are escaped.</summary>
    public static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                case >= '\uD800' and <= '\uDBFF' when i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]):
                    text.Append(c).Append(s[++i]);
                    break;
                case >= '\uD800' and <= '\uDFFF':
                    // A lone surrogate, as well-formed JSON.stringify writes it.
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>A double as ECMAScript's Number::toString writes it (RFC 8785 §3.2.2.3).</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return "null";
        }

        if (value == 0)
        {
            return "0";
        }

        // .NET's "R" gives the shortest digits that round-trip, as ECMAScript requires; only the layout differs.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        r = negative ? r[1..] : r;
        var e = r.IndexOfAny(['E', 'e']);
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? r : r[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leading;
        int k = digits.Length, n = point;
        string text;
        if (k <= n && n <= 21)
        {
            text = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            text = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            text = "0." + new string('0', -n) + digits;
        }
        else
        {
            var exp = n - 1;
            var sign = exp < 0 ? "-" : "+";
            text = (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + sign + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }

        return negative ? "-" + text : text;
    }
}
