using KafkaActors.Accumulator;

namespace KafkaActors.Producer;

/// <summary>Java's flush: send every batch now, wait for every batch that existed when the flush began.</summary>
internal static class Flusher
{
    public static async Task FlushAsync(RecordAccumulator accumulator)
    {
        var pending = accumulator.BeginFlush();
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            accumulator.EndFlush();
        }
    }
}
