namespace WamsGateway.Tests.Support;

/// <summary>
/// Tests that run alone, after the parallel ones: those that assert how long an answer took (a deadline,
/// not a speed), since on two shared cores twenty other apps starting at once would measure the machine,
/// not the gateway; those that read process-wide counters no other test may add to; and those whose
/// outcome another host's process-wide activity listener would change (trace sampling); and the browser test, whose
/// Chromium would otherwise take the cores other tests' timeouts need.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeadlineTestGroup
{
    public const string Name = "Deadlines";
}
