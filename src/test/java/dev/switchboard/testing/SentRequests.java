package dev.switchboard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

/**
 * An OkHttp interceptor for the OpenAI SDK's client that keeps the exact bytes of every request body the SDK sends, so
 * a test can compare what the client sent with what the upstream received. Thread-safe.
 */
public final class SentRequests implements Interceptor {
  /** One request as the SDK sent it. */
  public record Sent(String method, String url, String body) {}

  private final AwaitableLog<Sent> sent = new AwaitableLog<>();

  public AwaitableLog<Sent> log() {
    return sent;
  }

  /** The body of the most recent request. */
  public String lastBody() {
    return sent.all().getLast().body();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String body = "";
    if (request.body() != null) {
      Buffer buffer = new Buffer();
      request.body().writeTo(buffer);
      body = buffer.readString(StandardCharsets.UTF_8);
    }
    sent.add(new Sent(request.method(), request.url().toString(), body));
    return chain.proceed(request);
  }
}
