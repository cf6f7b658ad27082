package dev.switchboard.codec.openai;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

/**
 * The OpenAI Chat Completions codec: OpenAI's wire format to and from the canonical model, for requests and
 * plain answers; {@link #streamDecoder} and {@link #streamEncoder} make the per-stream halves.
 *
 * <p>Immutable and thread-safe; every method is a pure function of its arguments and, for {@code created},
 * the clock. Nothing is lost silently: where OpenAI's format and the canonical model differ, the methods
 * return the names of what they dropped, for the caller to log.
 */
public final class OpenAiChatCodec {
  private static final OpenAiChatCodec SYSTEM = new OpenAiChatCodec(InstantSource.system());

  private final InstantSource clock;

  private OpenAiChatCodec(InstantSource clock) {
    this.clock = clock;
  }

  /** The codec on the system clock. */
  public static OpenAiChatCodec create() {
    return SYSTEM;
  }

  /** A codec whose {@code created} timestamps come from {@code clock} (for tests). */
  public static OpenAiChatCodec withClock(InstantSource clock) {
    return new OpenAiChatCodec(Objects.requireNonNull(clock, "clock"));
  }

  /**
   * A decoded client request.
   *
   * @param includeUsage whether the client asked for the usage chunk ({@code stream_options.include_usage}); the
   *     front door passes it to {@link #streamEncoder}
   * @param dropped what the request asked for that the canonical model cannot carry, by OpenAI field name
   *     ({@code logprobs}, {@code messages[].name}, ...), each once, in order of appearance; empty when nothing
   */
  public record Decoded(ChatRequest request, boolean includeUsage, List<String> dropped) {
    public Decoded {
      Objects.requireNonNull(request, "request");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * An encoded upstream request.
   *
   * @param dropped what the canonical request held that OpenAI cannot take, with the reason, each once
   */
  public record Encoded(Buffer body, List<String> dropped) {
    public Encoded {
      Objects.requireNonNull(body, "body");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * Reads a client's {@code POST /v1/chat/completions} body. System and developer messages, wherever they are,
   * become the system prompt in order; consecutive {@code role: tool} messages become one user message of tool
   * results, joined with the user message that follows them, if any (results first).
   *
   * @throws RejectedException a 400 naming the field at fault, worded as OpenAI words it, when the body is not a
   *     valid chat request or asks for what cannot be translated at all (legacy {@code functions}, custom tools)
   */
  public Decoded decodeRequest(Buffer body) {
    return RequestDecoder.decode(body);
  }

  /**
   * Writes {@code request} as the body for an OpenAI-compatible upstream, with {@code upstreamModel} as its
   * model. Tool results become one {@code role: tool} message each; the system prompt one {@code system}
   * message at the start. A stream always asks for {@code stream_options.include_usage}, so that it can be
   * metered. The length limit goes out as {@code max_completion_tokens}. Tool-call ids longer than OpenAI's 40
   * characters are shortened, the same way for a call and its result. {@code n > 1} is not sent: only one
   * answer could be translated back.
   *
   * @throws IllegalArgumentException when a tool's or an output format's schema is not a JSON object (a bug in
   *     whatever built the request)
   */
  public Encoded encodeRequest(ChatRequest request, String upstreamModel) {
    return RequestEncoder.encode(request, Objects.requireNonNull(upstreamModel, "upstreamModel"));
  }

  /** {@link #decodeResponse(Buffer, long)} with no estimate of the prompt's tokens. */
  public ChatResponse decodeResponse(Buffer body) {
    return decodeResponse(body, 0);
  }

  /**
   * Reads an upstream's {@code chat.completion} (its first choice). {@code finish_reason} {@code stop} with tool
   * calls counts as {@code TOOL_USE}; a {@code refusal} becomes text and {@code REFUSAL}.
   *
   * @param estimatedInputTokens the caller's estimate of the prompt's tokens, used only when the answer carries
   *     no usage (the usage is then estimated and flagged)
   * @throws RejectedException a 502 when the body is not a chat completion, or an upstream error object
   */
  public ChatResponse decodeResponse(Buffer body, long estimatedInputTokens) {
    return ResponseDecoder.decode(body, estimatedInputTokens);
  }

  /**
   * Writes {@code response} as an OpenAI {@code chat.completion} for a client that asked for
   * {@code clientModel}, exactly as PROTOCOLS.md 1.2 shows it, with {@code created} from the clock.
   */
  public Buffer encodeResponse(ChatResponse response, String clientModel) {
    return ResponseEncoder.encode(response, clientModel, clock.instant().getEpochSecond());
  }

  /** A decoder for one upstream stream; see {@link OpenAiStreamDecoder#OpenAiStreamDecoder(long)}. */
  public OpenAiStreamDecoder streamDecoder(long estimatedInputTokens) {
    return new OpenAiStreamDecoder(estimatedInputTokens);
  }

  /** An encoder for one client stream, its {@code created} taken from the clock now. */
  public OpenAiStreamEncoder streamEncoder(String clientModel, boolean includeUsage) {
    return new OpenAiStreamEncoder(clientModel, includeUsage, clock.instant().getEpochSecond());
  }
}
