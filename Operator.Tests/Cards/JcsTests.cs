using System.Text;
using AgentLens.Operator.Cards;

namespace AgentLens.Operator.Tests.Cards;

/// <summary>RFC 8785's own test vectors: numbers (Appendix B) and string escaping.</summary>
[TestFixture]
public sealed class JcsTests
{
    [TestCase("0000000000000000", "0")]
    [TestCase("8000000000000000", "0")]
    [TestCase("0000000000000001", "5e-324")]
    [TestCase("8000000000000001", "-5e-324")]
    [TestCase("7fefffffffffffff", "1.7976931348623157e+308")]
    [TestCase("ffefffffffffffff", "-1.7976931348623157e+308")]
    [TestCase("4340000000000000", "9007199254740992")]
    [TestCase("c340000000000000", "-9007199254740992")]
    [TestCase("4430000000000000", "295147905179352830000")]
    [TestCase("44b52d02c7e14af5", "9.999999999999997e+22")]
    [TestCase("44b52d02c7e14af6", "1e+23")]
    [TestCase("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [TestCase("444b1ae4d6e2ef4e", "999999999999999700000")]
    [TestCase("444b1ae4d6e2ef4f", "999999999999999900000")]
    [TestCase("444b1ae4d6e2ef50", "1e+21")]
    [TestCase("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [TestCase("3eb0c6f7a0b5ed8d", "0.000001")]
    [TestCase("41b3de4355555553", "333333333.3333332")]
    [TestCase("41b3de4355555554", "333333333.33333325")]
    [TestCase("41b3de4355555555", "333333333.3333333")]
    [TestCase("41b3de4355555556", "333333333.3333334")]
    [TestCase("41b3de4355555557", "333333333.33333343")]
    [TestCase("becbf647612f3696", "-0.0000033333333333333333")]
    [TestCase("43143ff3c1cb0959", "1424953923781206.2")]
    public void Number_IsWrittenAsEcmaScriptWritesIt(string ieee754, string expected) =>
        Assert.That(Jcs.Number(BitConverter.Int64BitsToDouble(Convert.ToInt64(ieee754, 16))), Is.EqualTo(expected));

    [Test]
    public void Strings_EscapeOnlyQuoteBackslashAndControls()
    {
        var text = new StringBuilder();

        Jcs.WriteString(text, "\u20ac$\u000f\nA'B\"\\\\\"/\u0080\u2028\ud83d\ude00");

        Assert.That(text.ToString(), Is.EqualTo("\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\u0080\u2028\ud83d\ude00\""));
    }

    [Test]
    public void Objects_AreSortedByUtf16CodeUnits()
    {
        // RFC 8785 §3.2.3's sorting example.
        var node = System.Text.Json.Nodes.JsonNode.Parse("""{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}""");

        var keys = System.Text.Json.Nodes.JsonNode.Parse(Jcs.Serialize(node))!.AsObject().Select(p => p.Key);

        Assert.That(keys, Is.EqualTo(new[] { "\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33" }));
    }
}
