package io.junction.tools;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code junction admin reload}: ask a running daemon to re-read its config (alarms, webhook).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Administer a running daemon: 'reload' re-reads its config file (alarms, webhook, regulation).")
public final class AdminCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "ACTION", description = "reload")
    String action;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The daemon's data directory.")
    File dir;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "File holding http.admin-token (default: the daemon's DIR/admin.token).")
    File tokenFile;

    private String adminToken() throws java.io.IOException
    {
        final String token = null != tokenFile ?
            java.nio.file.Files.readString(tokenFile.toPath(), java.nio.charset.StandardCharsets.UTF_8).trim() :
            AdminGuard.readToken(dir);
        return null == token ? "" : token;
    }

    @Override
    public Integer call() throws Exception
    {
        if (!"reload".equals(action))
        {
            System.err.println("junction admin: unknown action '" + action + "'; known: reload");
            return 2;
        }
        final Properties properties;
        try
        {
            properties = Daemon.readProperties(dir);
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("junction admin: " + ex.getMessage());
            return 1;
        }
        final int httpPort = Integer.parseInt(properties.getProperty("http.port", "-1"));
        if (httpPort > 0)
        {
            final String token;
            try
            {
                token = adminToken();
            }
            catch (final java.io.IOException ex)
            {
                System.err.println("junction admin: cannot read the admin token: " + ex.getMessage());
                return 1;
            }
            final HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + properties.getProperty("http.host") + ":" + httpPort +
                    "/admin/reload")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
            System.out.print(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        }
        final String pid = properties.getProperty("pid");
        final Process kill = new ProcessBuilder("kill", "-HUP", pid).inheritIO().start();
        final int code = kill.waitFor();
        System.out.println(code == 0 ? "sent SIGHUP to pid " + pid + " (http is disabled: see its log for the outcome)" :
            "could not signal pid " + pid);
        return code == 0 ? 0 : 1;
    }
}
