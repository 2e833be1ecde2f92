namespace WamsGateway.Tests.Support;

/// <summary>
/// Tests that assert how long an answer took (a deadline, not a speed) run alone, after the parallel
/// ones: on two shared cores, twenty other apps starting at once would measure the machine, not the gateway.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeadlineTestGroup
{
    public const string Name = "Deadlines";
}
