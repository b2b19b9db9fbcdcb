package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for the TLS tests, made with the JDK's keytool: self-signed EC keys in PKCS12 stores, and
 * trust stores holding the certificates each side accepts (a self-signed certificate is its own trust anchor).
 */
final class TestCertificates
{
    static final String PASSWORD = "changeit";

    private final Path dir;

    TestCertificates(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * A key store {@code name.p12} with a self-signed certificate for {@code CN=commonName}; with names (e.g.
     * {@code ip:127.0.0.1,dns:localhost}) as its subject alternative names.
     */
    Path keyStore(final String name, final String commonName, final String alternativeNames) throws Exception
    {
        final Path store = dir.resolve(name + ".p12");
        final List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=" + commonName + ",O=Junction Test", "-validity", "2",
            "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (null != alternativeNames)
        {
            args.add("-ext");
            args.add("SAN=" + alternativeNames);
        }
        keytool(args);
        return store;
    }

    /**
     * A trust store {@code name.p12} holding the certificates of the given key stores.
     */
    Path trustStore(final String name, final Path... keyStores) throws Exception
    {
        final Path store = dir.resolve(name + ".p12");
        for (final Path keyStore : keyStores)
        {
            final String alias = keyStore.getFileName().toString().replace(".p12", "");
            final Path certificate = dir.resolve(alias + ".crt");
            if (!Files.exists(certificate))
            {
                keytool(List.of("-exportcert", "-alias", alias, "-keystore", keyStore.toString(), "-storetype",
                    "PKCS12", "-storepass", PASSWORD, "-rfc", "-file", certificate.toString()));
            }
            keytool(List.of("-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(),
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        }
        return store;
    }

    /** The store password in a file, as the command line takes it. */
    Path passwordFile() throws IOException
    {
        final Path file = dir.resolve("store-password.txt");
        Files.writeString(file, PASSWORD + "\n");
        return file;
    }

    private void keytool(final List<String> args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
        command.add("-J-XX:TieredStopAtLevel=1");
        command.addAll(args);
        final File log = dir.resolve("keytool.log").toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s: " + command);
        }
        if (0 != process.exitValue())
        {
            throw new IOException("keytool failed (" + process.exitValue() + "): " + command + "\n" +
                Files.readString(log.toPath()));
        }
    }
}
