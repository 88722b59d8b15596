using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using KafkaActors.Protocol.Hashing;
using Xunit;

namespace KafkaActors.Protocol.Tests;

public class HashingTests
{
    // Apache Kafka's UtilsTest.testMurmur2 expectations.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_java_utils(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.ASCII.GetBytes(key)));

    [Fact]
    public void ToPositive_clears_the_sign_bit_instead_of_negating()
    {
        Assert.Equal(0, Murmur2.ToPositive(int.MinValue));
        Assert.Equal(int.MaxValue, Murmur2.ToPositive(-1));
        Assert.Equal(5, Murmur2.ToPositive(5));
    }

    [Fact]
    public void Partition_is_toPositive_of_hash_modulo_partitions()
    {
        // murmur2("foobar") = -790332482 -> toPositive = 1357151166 -> % 7 = 1357151166 % 7
        Assert.Equal(1357151166 % 7, Murmur2.Partition(Encoding.ASCII.GetBytes("foobar"), 7));
    }

    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xE3069283u)] // the CRC-32C check value
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Crc32C_matches_known_check_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32C_is_the_same_in_one_pass_or_in_pieces()
    {
        var data = new byte[1000];
        new Random(1).NextBytes(data);
        var whole = Crc32C.Compute(data);
        var running = Crc32C.Update(~0u, data.AsSpan(0, 333));
        running = Crc32C.Update(running, data.AsSpan(333));
        Assert.Equal(whole, ~running);
    }

    [Fact]
    public void Crc32C_of_long_inputs_in_three_streams_matches_the_bitwise_definition()
    {
        var data = new byte[3 * 8192 * 2 + 3 * 256 + 77];
        new Random(7).NextBytes(data);
        // Lengths around each block boundary (3 × 256, 3 × 8 KiB), and offsets that are not 8-byte aligned.
        int[] lengths = [0, 7, 8, 767, 768, 769, 1000, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 3 * 256 + 5, data.Length - 3];
        foreach (var length in lengths)
            foreach (var offset in new[] { 0, 3 })
            {
                var slice = data.AsSpan(offset, length);
                Assert.Equal(BitwiseCrc32C(slice), Crc32C.Compute(slice));
            }
    }

    [Fact]
    public void Crc32C_matches_the_bitwise_definition_for_every_length_and_alignment_up_to_2_KiB()
    {
        var data = new byte[2048 + 64];
        new Random(11).NextBytes(data);
        for (var length = 0; length <= 2048; length++)
        {
            var slice = data.AsSpan(length % 64, length);
            Assert.Equal(BitwiseCrc32C(slice), Crc32C.Compute(slice));
        }
    }

    [Fact]
    public void Crc32C_of_long_inputs_matches_the_crc_instruction_one_word_at_a_time()
    {
        var data = new byte[(1 << 20) + 300];
        new Random(5).NextBytes(data);
        // Around the folding loop's 256-byte step and its 64- and 16-byte tails, from 1 KiB to 1 MiB, at odd offsets.
        int[] lengths = [4095, 4096, 4096 + 63, 4096 + 64 + 15, 4096 + 64 + 16 + 7, 16 * 1024, 64 * 1024 + 1000, 1 << 20];
        foreach (var length in lengths)
            foreach (var offset in new[] { 0, 1, 13, 64 + 5 })
            {
                var slice = data.AsSpan(offset, length);
                Assert.Equal(InstructionCrc32C(slice), Crc32C.Compute(slice));
            }
    }

    [Fact]
    public void Crc32C_folding_continues_a_running_state()
    {
        if (!Crc32CFolding.IsSupported) return; // The scalar path is covered by the other tests.
        var data = new byte[5000];
        new Random(3).NextBytes(data);
        var state = Crc32CFolding.Update(0x12345678u, data, out var consumed);
        Assert.Equal(data.Length / 16 * 16, consumed);
        Assert.Equal(InstructionUpdate(0x12345678u, data.AsSpan(0, consumed)), state);
    }

    /// <summary>The CRC instruction over one 8-byte word after another, a single dependent stream.</summary>
    private static uint InstructionCrc32C(ReadOnlySpan<byte> data) => ~InstructionUpdate(~0u, data);

    private static uint InstructionUpdate(uint crc, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }

    /// <summary>CRC-32C one bit at a time, straight from its definition (reflected polynomial 0x82F63B78).</summary>
    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
