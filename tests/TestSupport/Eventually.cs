namespace WamsGateway.TestSupport;

/// <summary>Polls a condition with a deadline: waiting for an event instead of sleeping for a guess.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(25, deadline.Token);
        }
    }
}
