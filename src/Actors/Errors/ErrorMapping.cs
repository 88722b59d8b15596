using KafkaActors.Protocol.Errors;

namespace KafkaActors.Errors;

/// <summary>Turns a broker's error code into the exception a user catches.</summary>
public static class ErrorMapping
{
    public static ApiException ToException(ErrorCode code, string context, string? brokerMessage = null)
    {
        var message = $"{context}: {code.KafkaName()} ({(short)code}) {code.Description()}";
        if (!string.IsNullOrEmpty(brokerMessage)) message += $" Broker said: {brokerMessage}";
        return code switch
        {
            ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge => new RecordTooLargeException(message),
            ErrorCode.InvalidTopicException => new InvalidTopicException(message),
            ErrorCode.InvalidRecord => new InvalidRecordException(message),
            ErrorCode.OutOfOrderSequenceNumber => new OutOfOrderSequenceException(message),
            ErrorCode.RequestTimedOut => new KafkaTimeoutException(message),
            ErrorCode.NetworkException => new NetworkException(message),
            _ when code.IsRetriable() => new RetriableException(code, message),
            _ => new ApiException(code, message),
        };
    }
}
