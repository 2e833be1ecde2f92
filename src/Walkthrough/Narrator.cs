namespace Walkthrough;

/// <summary>Prints the walkthrough's steps and keeps score of what it expected to see.</summary>
internal sealed class Narrator
{
    public int Failures { get; private set; }

    public static void Step(string title)
    {
        Console.WriteLine();
        Console.ForegroundColor = ConsoleColor.Cyan;
        Console.WriteLine("== " + title);
        Console.ResetColor();
    }

    public static void Say(string text) => Console.WriteLine("   " + text);

    public void Expect(bool condition, string what)
    {
        Console.ForegroundColor = condition ? ConsoleColor.Green : ConsoleColor.Red;
        Console.WriteLine((condition ? "   ok    " : "   FAIL  ") + what);
        Console.ResetColor();
        if (!condition)
        {
            Failures++;
        }
    }
}
