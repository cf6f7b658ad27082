package dev.switchboard.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.switchboard.exchange.ExchangeRecord;
import dev.switchboard.testing.GatewayFixture;
import dev.switchboard.testing.StoreUnderTest;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A virtual key used from the OpenAI and Anthropic SDKs: who it is, what it may use, and when it stops working. On
 * the embedded store and on PostgreSQL.
 */
@ParameterizedClass
@EnumSource(StoreUnderTest.Kind.class)
final class VirtualKeyE2ETest {
  @TempDir Path dir;
  @Parameter StoreUnderTest.Kind store;
  private GatewayFixture fx;

  @BeforeEach
  void start() {
    fx = GatewayFixture.start(dir, store);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private Keys.Issued key(Set<String> models) {
    return fx.gateway().keys().createKey(new Keys.KeySpec(null, "e2e", models, null, null, null, null, false));
  }

  private static ChatCompletionCreateParams ask(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").build();
  }

  @Test
  void eachRequestIsRecordedUnderItsKeyAndTeam() {
    Keys.Issued issued = key(Set.of());
    fx.client(issued.secret()).chat().completions().create(ask("chat"));
    ExchangeRecord record = fx.exchange(r -> "chat".equals(r.endpoint()) && r.status() == 200);
    assertThat(record.keyId()).isEqualTo(issued.key().id());
    assertThat(record.teamId()).isEqualTo(issued.key().teamId());
    assertThat(record.frontDoor()).isEqualTo("openai");

    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl(fx.gateway().openAiBaseUrl().replaceFirst("/v1$", ""))
        .apiKey(issued.secret()).maxRetries(0).build();
    try {
      anthropic.messages().create(MessageCreateParams.builder().model("claude").maxTokens(16)
          .addUserMessage("hello").build());
    } finally {
      anthropic.close();
    }
    ExchangeRecord viaAnthropic = fx.exchange(r -> "messages".equals(r.endpoint()) && r.status() == 200);
    assertThat(viaAnthropic.keyId()).isEqualTo(issued.key().id());
    assertThat(viaAnthropic.frontDoor()).isEqualTo("anthropic");
  }

  @Test
  void aKeyLimitedToSomeModelsIsRefusedOthersAndListsOnlyItsOwn() {
    OpenAIClient client = fx.client(key(Set.of("chat")).secret());
    assertThat(client.chat().completions().create(ask("chat")).choices()).isNotEmpty();
    assertThatThrownBy(() -> client.chat().completions().create(ask("claude")))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("may not use model 'claude'").hasMessageContaining("chat");
    assertThat(client.models().list().data()).extracting(Model::id).containsExactly("chat");
    assertThatThrownBy(() -> client.models().retrieve("claude")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aRevokedKeyIsRefusedAtOnceWithASayingMessage() {
    Keys.Issued issued = key(Set.of());
    OpenAIClient client = fx.client(issued.secret());
    client.chat().completions().create(ask("chat"));
    fx.gateway().keys().revoke(issued.key().id());
    assertThatThrownBy(() -> client.chat().completions().create(ask("chat")))
        .isInstanceOf(UnauthorizedException.class).hasMessageContaining("revoked");
  }
}
