package dev.switchboard.canonical;

import java.util.List;
import java.util.Objects;

/**
 * A complete (non-streamed) answer.
 *
 * @param id the upstream's id for it
 * @param model the upstream model that answered
 * @param content text, tool calls and reasoning, in order
 * @param stopSequence the stop sequence that ended it, when {@code stopReason} is STOP_SEQUENCE and the
 *     provider says which; else null
 * @param usage the upstream's token counts; never null (codecs estimate and flag when it sent none)
 */
public record ChatResponse(String id, String model, List<Part> content, StopReason stopReason, String stopSequence,
    Usage usage) {
  public ChatResponse {
    Objects.requireNonNull(id, "id");
    content = List.copyOf(content);
    Objects.requireNonNull(stopReason, "stopReason");
    Objects.requireNonNull(usage, "usage");
  }
}
