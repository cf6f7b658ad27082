package dev.switchboard.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A certificate authority made at test time, and the server certificates it signs: what a company's private PKI hands
 * a service, without keytool, openssl or a crypto library. Clients that trust {@link #trustManager()} (or
 * {@link #sslContext()}) trust exactly the certificates this CA issued, the way a user adds their CA to a client.
 *
 * <p>Certificates are valid from an hour ago for a day, carry the names they were issued for as subject alternative
 * names (OkHttp checks only those, not the common name) and are marked for TLS servers. Keys are EC P-256 unless
 * {@link #issueRsa} asks for RSA. Thread-safe: everything is immutable once made.
 */
public final class PrivateCa {
  private static final String P256 = "1.2.840.10045.3.1.7";
  private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
  private static final String RSA_SHA256 = "1.2.840.113549.1.1.11";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private PrivateCa(String name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA whose subject is {@code CN=<name>}. */
  public static PrivateCa create(String name) {
    KeyPair keys = keyPair("EC");
    byte[] extensions = Der.sequence(
        extension("2.5.29.19", true, Der.sequence(Der.bool(true))),            // basicConstraints: a CA
        extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0x06}, 1)));  // keyUsage: keyCertSign, cRLSign
    return new PrivateCa(name, keys, sign(name, name, keys.getPublic().getEncoded(), extensions, keys.getPrivate()));
  }

  /** A server certificate for {@code names} (host names or IP literals; the first is also the common name), EC key. */
  public Issued issue(String... names) {
    return issue(keyPair("EC"), names);
  }

  /**
   * A server certificate that is its own CA, as {@code openssl req -x509} makes for a quick try: to trust it, a client
   * trusts the certificate itself ({@code issued.ca()} is a CA whose certificate is this one).
   */
  public static Issued selfSigned(String... names) {
    KeyPair keys = keyPair("EC");
    Issued issued = new PrivateCa(names[0], keys, null).issue(keys, names);
    return new Issued(new PrivateCa(names[0], keys, issued.certificate()), issued.certificate(), issued.key());
  }

  /** Like {@link #issue}, with a 2048-bit RSA key. */
  public Issued issueRsa(String... names) {
    return issue(keyPair("RSA"), names);
  }

  private Issued issue(KeyPair leaf, String... names) {
    List<byte[]> altNames = new ArrayList<>();
    for (String n : names) altNames.add(generalName(n));
    byte[] extensions = Der.sequence(
        extension("2.5.29.19", true, Der.sequence()),                                           // not a CA
        extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0xa0}, 5)),                    // digitalSignature, keyEncipherment
        extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"))),              // serverAuth
        extension("2.5.29.17", false, Der.sequence(altNames.toArray(byte[][]::new))));          // subjectAltName
    X509Certificate cert = sign(names[0], name, leaf.getPublic().getEncoded(), extensions, keys.getPrivate());
    return new Issued(this, cert, leaf.getPrivate());
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** Writes this CA's certificate as PEM, the file a user hands to clients (or to a {@code ca_file}). */
  public Path writeCertificate(Path file) {
    return write(file, pem("CERTIFICATE", encoded(certificate)));
  }

  public X509TrustManager trustManager() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TLS context that trusts this CA and nothing else. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new X509TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server certificate, its private key and the CA that signed it. */
  public record Issued(PrivateCa ca, X509Certificate certificate, PrivateKey key) {

    /** Writes the chain a server presents, leaf first, then the CA (unless the leaf is its own CA), as PEM. */
    public Path writeChain(Path file) {
      String leaf = pem("CERTIFICATE", encoded(certificate));
      return write(file, certificate.equals(ca.certificate) ? leaf : leaf + pem("CERTIFICATE", encoded(ca.certificate)));
    }

    /** Writes the key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), what openssl writes today. */
    public Path writeKey(Path file) {
      return write(file, pem("PRIVATE KEY", key.getEncoded()));
    }

    /**
     * Writes the key in the older, algorithm-specific form: {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or
     * {@code BEGIN EC PRIVATE KEY} (SEC 1, naming its curve), as older openssl versions and many CAs hand them out.
     */
    public Path writeTraditionalKey(Path file) {
      if (key instanceof RSAPrivateCrtKey k) {
        return write(file, pem("RSA PRIVATE KEY", Der.sequence(Der.integer(0), Der.integer(k.getModulus()),
            Der.integer(k.getPublicExponent()), Der.integer(k.getPrivateExponent()), Der.integer(k.getPrimeP()),
            Der.integer(k.getPrimeQ()), Der.integer(k.getPrimeExponentP()), Der.integer(k.getPrimeExponentQ()),
            Der.integer(k.getCrtCoefficient()))));
      }
      ECPrivateKey k = (ECPrivateKey) key;
      return write(file, pem("EC PRIVATE KEY", Der.sequence(Der.integer(1), Der.octets(unsigned(k.getS(), 32)),
          Der.explicit(0, Der.oid(P256)))));
    }
  }

  // ---- making certificates --------------------------------------------------------------------

  private static X509Certificate sign(String subject, String issuer, byte[] publicKeyInfo, byte[] extensions,
      PrivateKey signer) {
    boolean rsa = signer.getAlgorithm().equals("RSA");
    byte[] algorithm = rsa ? Der.sequence(Der.oid(RSA_SHA256), Der.nul()) : Der.sequence(Der.oid(ECDSA_SHA256));
    ZonedDateTime now = ZonedDateTime.now();
    byte[] tbs = Der.sequence(
        Der.explicit(0, Der.integer(2)),                                    // v3
        Der.integer(new BigInteger(64, RANDOM)),
        algorithm,
        name(issuer),
        Der.sequence(Der.utcTime(now.minusHours(1)), Der.utcTime(now.plusDays(1))),
        name(subject),
        publicKeyInfo,
        Der.explicit(3, extensions));
    try {
      Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA");
      s.initSign(signer);
      s.update(tbs);
      byte[] der = Der.sequence(tbs, algorithm, Der.bits(s.sign(), 0));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] name(String commonName) {
    return Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
        : Der.sequence(Der.oid(oid), Der.octets(value));
  }

  private static byte[] generalName(String name) {
    if (name.chars().allMatch(c -> Character.isDigit(c) || c == '.') || name.contains(":")) {
      try {
        return Der.implicit(7, InetAddress.getByName(name).getAddress());          // iPAddress
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(name, e);
      }
    }
    return Der.implicit(2, name.getBytes(StandardCharsets.US_ASCII));            // dNSName
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) g.initialize(new ECGenParameterSpec("secp256r1"));
      else g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
