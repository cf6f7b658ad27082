package dev.switchboard.codec.openai;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import java.util.ArrayList;
import java.util.List;

/** The canonical stream of a complete answer, as a provider would stream it: one block per part, in pieces. */
final class CanonicalStreams {
  private CanonicalStreams() {}

  static List<StreamEvent> of(ChatResponse r, int pieceLength) {
    List<StreamEvent> out = new ArrayList<>();
    out.add(new StreamEvent.MessageStart(r.id(), r.model(), null));
    int block = 0;
    for (Part p : r.content()) {
      switch (p) {
        case Part.Text t -> {
          out.add(new StreamEvent.BlockStart(block, BlockKind.TEXT, null, null));
          for (String s : pieces(t.text(), pieceLength)) out.add(new StreamEvent.TextDelta(block, s));
        }
        case Part.Reasoning t -> {
          out.add(new StreamEvent.BlockStart(block, BlockKind.REASONING, null, null));
          for (String s : pieces(t.text(), pieceLength)) out.add(new StreamEvent.ReasoningDelta(block, s));
        }
        case Part.ToolCall c -> {
          out.add(new StreamEvent.BlockStart(block, BlockKind.TOOL_CALL, c.id(), c.name()));
          for (String s : pieces(c.arguments(), pieceLength)) out.add(new StreamEvent.ToolArgumentsDelta(block, s));
        }
        default -> throw new IllegalArgumentException("not in answers: " + p);
      }
      out.add(new StreamEvent.BlockStop(block++));
    }
    out.add(new StreamEvent.MessageDelta(r.stopReason(), r.stopSequence(), r.usage()));
    out.add(new StreamEvent.MessageStop());
    return out;
  }

  static List<String> pieces(String s, int length) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < s.length(); i += length) out.add(s.substring(i, Math.min(s.length(), i + length)));
    return out;
  }
}
