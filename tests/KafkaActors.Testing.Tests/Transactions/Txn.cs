using System.Text;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary>Small helpers shared by the transaction tests.</summary>
internal static class Txn
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static byte[][] Values(params string[] values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    public static string[] Strings(IEnumerable<ConsumedRecord> records) =>
        records.Select(r => Encoding.UTF8.GetString(r.Value!)).ToArray();

    public static string[] Strings(IEnumerable<ConsumedRecord> records, int partition) =>
        Strings(records.Where(r => r.Partition == partition));
}
