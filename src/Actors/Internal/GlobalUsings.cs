// The producer's shared helpers (clock, dispatcher, backoff) are used by every actor family.
global using KafkaActors.Internal;
