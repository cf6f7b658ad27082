package dev.switchboard.server;

import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own certificate chain and private key, read once and checked before the port opens. Without the
 * check a wrong file would still start a server whose every handshake fails, and the clients would report that
 * far from its cause; with it the start fails with a message that names the file and what to do about it. The
 * server is handed exactly the bytes that were checked. Immutable.
 */
final class ServerCertificate {
  private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
      Pattern.DOTALL);
  /** The key types nearly every certificate has, and the only ones told apart before the key store sees them. */
  private static final List<String> COMMON = List.of("RSA", "EC");

  private final KeyCertOptions options;
  private final X509Certificate leaf;

  private ServerCertificate(KeyCertOptions options, X509Certificate leaf) {
    this.options = options;
    this.leaf = leaf;
  }

  /**
   * Reads and checks both files.
   *
   * @throws IllegalStateException naming the file at fault, when a file cannot be read, holds no certificate or no
   *     usable key, or when the key does not belong to the certificate
   */
  static ServerCertificate load(SwitchboardConfig.Tls tls, Vertx vertx) {
    Path certFile = tls.certFile();
    Path keyFile = tls.keyFile();
    byte[] certBytes = read(certFile, "certificate chain");
    byte[] keyBytes = read(keyFile, "private key");
    // PEM is ASCII; Latin-1 maps any other byte to some character instead of failing, so stray bytes are harmless.
    String keyText = new String(keyBytes, StandardCharsets.ISO_8859_1);
    X509Certificate leaf = leaf(certFile, new String(certBytes, StandardCharsets.ISO_8859_1));
    PemKeyCertOptions options = new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(certBytes))
        .setKeyValue(Buffer.buffer(keyBytes));
    String certified = leaf.getPublicKey().getAlgorithm();
    String keyType = keyType(keyText);
    // The key store refuses a key of another type with a message about key stores; say what it means instead.
    if (keyType != null && COMMON.contains(keyType) && COMMON.contains(certified) && !keyType.equals(certified)) {
      throw notAPair(certFile, keyFile, leaf, "an " + keyType + " key for an " + certified + " certificate");
    }
    PrivateKey key = key(keyFile, keyText, options, vertx, leaf);
    if (!belongTogether(leaf.getPublicKey(), key)) throw notAPair(certFile, keyFile, leaf, "another key pair");
    // Serving an expired certificate beats not serving: a client told to skip verification still gets through.
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (notAfter.isBefore(Instant.now())) {
      log.warn("the TLS certificate {} expired on {}; clients that verify it will refuse to connect", certFile,
          notAfter);
    }
    return new ServerCertificate(options, leaf);
  }

  private static IllegalStateException notAPair(Path certFile, Path keyFile, X509Certificate leaf, String what) {
    return new IllegalStateException("the TLS private key " + keyFile + " does not belong to the certificate "
        + certFile + " (" + leaf.getSubjectX500Principal().getName() + "; " + what + "). Use the key that was made "
        + "together with that certificate; for a matching pair these two commands print the same public key: "
        + "openssl x509 -noout -pubkey -in " + certFile + " and openssl pkey -pubout -in " + keyFile);
  }

  KeyCertOptions options() {
    return options;
  }

  /** The server's own certificate, the first of the chain. */
  X509Certificate leaf() {
    return leaf;
  }

  private static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the TLS " + what + " " + file + " (" + e.getMessage() + ")", e);
    }
  }

  /** Parses every certificate the way the server will use them, and returns the first: the server's own. */
  private static X509Certificate leaf(Path file, String text) {
    List<X509Certificate> chain = new ArrayList<>();
    List<String> others = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals("CERTIFICATE")) {
        others.add(m.group(1));
        continue;
      }
      try {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(der)));
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        throw new IllegalStateException("the TLS certificate chain " + file + " has a certificate (number "
            + (chain.size() + 1) + ") that cannot be parsed (" + e.getMessage() + "). Export the chain again as PEM.",
            e);
      }
    }
    if (!chain.isEmpty()) return chain.getFirst();
    if (others.stream().anyMatch(t -> t.endsWith("PRIVATE KEY"))) {
      throw new IllegalStateException("the TLS certificate chain " + file + " holds a private key, not a "
          + "certificate: are the certificate and key files swapped?");
    }
    throw new IllegalStateException("the TLS certificate chain " + file + " holds no PEM certificate. It must be "
        + "the server's certificate chain in PEM (-----BEGIN CERTIFICATE----- blocks), the server's own certificate "
        + "first. A DER file converts with: openssl x509 -inform der -in server.der -out server.pem");
  }

  private static PrivateKey key(Path file, String text, PemKeyCertOptions options, Vertx vertx,
      X509Certificate leaf) {
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IllegalStateException("the TLS private key " + file + " is encrypted with a passphrase, which "
          + "Switchboard cannot ask for. Decrypt it (openssl pkey -in " + file + " -out server-key.pem) and protect "
          + "the decrypted file by its permissions (chmod 600) instead.");
    }
    X509KeyManager keys = null;
    try {
      for (KeyManager k : options.getKeyManagerFactory(vertx).getKeyManagers()) {
        if (k instanceof X509KeyManager x) keys = x;
      }
    } catch (Exception e) {
      String problem;
      if (text.contains("PRIVATE KEY-----")) {
        problem = " cannot be read (" + e.getMessage() + ").";
      } else if (text.contains("-----BEGIN CERTIFICATE-----")) {
        problem = " holds a certificate, not a private key: are the certificate and key files swapped?";
      } else {
        problem = " holds no PEM private key.";
      }
      throw new IllegalStateException("the TLS private key " + file + problem + " It must be an unencrypted PEM "
          + "private key: -----BEGIN PRIVATE KEY----- (PKCS#8), -----BEGIN RSA PRIVATE KEY----- or "
          + "-----BEGIN EC PRIVATE KEY-----.", e);
    }
    String[] aliases = keys == null ? null : keys.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
    PrivateKey key = aliases == null || aliases.length == 0 ? null : keys.getPrivateKey(aliases[0]);
    if (key == null) {
      throw new IllegalStateException("the TLS private key " + file + " holds no key for the certificate's "
          + leaf.getPublicKey().getAlgorithm() + " public key");
    }
    return key;
  }

  /** RSA or EC for a key in one of the forms openssl writes, else null (unknown type, or not readable here). */
  private static String keyType(String text) {
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      switch (m.group(1)) {
        case "RSA PRIVATE KEY":
          return "RSA";
        case "EC PRIVATE KEY":
          return "EC";
        case "PRIVATE KEY":
          for (String type : COMMON) {
            try {
              byte[] der = Base64.getMimeDecoder().decode(m.group(2));
              return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der)).getAlgorithm();
            } catch (IllegalArgumentException | GeneralSecurityException e) {
              // not this type; try the next
            }
          }
          return null;
        default:
          // a certificate or parameters next to the key; look further
      }
    }
    return null;
  }

  /** Signs with the key and verifies with the certificate's public key: the one check that works for every type. */
  private static boolean belongTogether(PublicKey certified, PrivateKey key) {
    String algorithm = switch (certified.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> certified.getAlgorithm();
      default -> null;
    };
    // A key type this check does not know is left to the handshake.
    if (algorithm == null) return true;
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signer.sign());
    } catch (GeneralSecurityException e) {
      // e.g. an RSA key for an EC certificate: no signature of one verifies with the other
      return false;
    }
  }
}
