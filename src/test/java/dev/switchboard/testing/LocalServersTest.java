package dev.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** The real PostgreSQL and Redis servers the scale-out tests run against start, answer, stop and come back. */
final class LocalServersTest {
  @Test
  void postgresAnswersStopsAndComesBack() throws Exception {
    LocalPostgres pg = LocalPostgres.shared();
    String url = pg.newDatabase();
    try (Connection c = DriverManager.getConnection(url, pg.user(), null); ResultSet rs =
        c.createStatement().executeQuery("select 6 * 7")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
    pg.stop();
    try {
      assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), null)).hasMessageContaining("refused");
    } finally {
      pg.start();
    }
    try (Connection c = DriverManager.getConnection(url, pg.user(), null)) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void redisAnswersStopsAndComesBack() throws Exception {
    LocalRedis redis = LocalRedis.newServer();
    assertThat(ping(redis)).isEqualTo("+PONG");
    redis.stop();
    assertThatThrownBy(() -> ping(redis)).hasMessageContaining("refused");
    redis.start();
    assertThat(ping(redis)).isEqualTo("+PONG");
    redis.stop();
  }

  private static String ping(LocalRedis redis) throws Exception {
    try (Socket s = new Socket("127.0.0.1", redis.port())) {
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[5];
      int n = in.readNBytes(buf, 0, 5);
      return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }
  }
}
