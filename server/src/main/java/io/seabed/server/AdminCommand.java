package io.seabed.server;

import io.seabed.server.admin.AdminClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code seabed admin}: tenants and users of a running server, through its admin API (console port). */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Manage tenants and users of a running server. Signs with the root keys in"
                + " SEABED_ACCESS_KEY / SEABED_SECRET_KEY.",
        subcommands = {AdminCommand.TenantCommand.class, AdminCommand.UserCommand.class})
final class AdminCommand {
    @Option(
            names = "--endpoint",
            description = "The server's console URL, where the admin API lives (default: ${DEFAULT-VALUE}).",
            defaultValue = "http://127.0.0.1:9001")
    URI endpoint;

    @Spec
    CommandSpec spec;

    /** Calls the API; prints the error and returns null when the call failed. */
    JsonObject call(String method, String path, String query, JsonObject body) {
        PrintWriter err = spec.commandLine().getErr();
        String ak = System.getenv("SEABED_ACCESS_KEY");
        String sk = System.getenv("SEABED_SECRET_KEY");
        if (ak == null || sk == null) {
            err.println("seabed admin: set SEABED_ACCESS_KEY and SEABED_SECRET_KEY to an admin key");
            return null;
        }
        try {
            AdminClient.Answer a = new AdminClient(endpoint, ak, sk).call(method, path, query, body);
            if (a.ok()) return a.body();
            err.println("seabed admin: " + a.status() + " " + a.body().getString("error") + ": "
                    + a.body().getString("message"));
        } catch (IOException e) {
            err.println("seabed admin: cannot reach " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("seabed admin: interrupted");
        }
        return null;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(name = "tenant", description = "Create, list and delete tenants.", mixinStandardHelpOptions = true)
    static final class TenantCommand {
        @ParentCommand
        AdminCommand admin;

        @Spec
        CommandSpec spec;

        @Command(name = "create", description = "Create tenant NAME.")
        int create(@Parameters(paramLabel = "NAME") String name) {
            JsonObject r = admin.call("POST", "tenants", "", new JsonObject().put("name", name));
            if (r == null) return 1;
            spec.commandLine()
                    .getOut()
                    .println("tenant " + r.getString("name") + " created (id " + r.getLong("id") + ")");
            return 0;
        }

        @Command(name = "list", description = "List tenants: name and id.")
        int list() {
            JsonObject r = admin.call("GET", "tenants", "", null);
            if (r == null) return 1;
            for (Object o : r.getJsonArray("tenants")) {
                JsonObject t = (JsonObject) o;
                spec.commandLine().getOut().println(t.getString("name") + "\t" + t.getLong("id"));
            }
            return 0;
        }

        @Command(name = "delete", description = "Delete tenant NAME (it must have no users or buckets left).")
        int delete(@Parameters(paramLabel = "NAME") String name) {
            JsonObject r = admin.call("DELETE", "tenants/" + encode(name), "", null);
            if (r == null) return 1;
            spec.commandLine().getOut().println("tenant " + name + " deleted");
            return 0;
        }
    }

    @Command(
            name = "user",
            description = "Create, list and delete users' access keys.",
            mixinStandardHelpOptions = true)
    static final class UserCommand {
        @ParentCommand
        AdminCommand admin;

        @Spec
        CommandSpec spec;

        @Command(name = "create", description = "Create a user's access key and print the keys.")
        int create(
                @Option(names = "--tenant", required = true) String tenant,
                @Option(names = "--user", required = true) String user,
                @Option(names = "--id", description = "Canonical user id (default: generated).") String id,
                @Option(names = "--display-name", description = "Display name (default: the user name).")
                        String displayName,
                @Option(names = "--email") String email,
                @Option(names = "--access-key", description = "Access key (default: generated).") String accessKey,
                @Option(names = "--secret-key", description = "Secret key (default: generated).") String secretKey) {
            JsonObject body = new JsonObject().put("tenant", tenant).put("user", user);
            if (id != null) body.put("id", id);
            if (displayName != null) body.put("displayName", displayName);
            if (email != null) body.put("email", email);
            if (accessKey != null) body.put("accessKey", accessKey);
            if (secretKey != null) body.put("secretKey", secretKey);
            JsonObject r = admin.call("POST", "users", "", body);
            if (r == null) return 1;
            PrintWriter out = spec.commandLine().getOut();
            out.println("tenant:       " + r.getString("tenant"));
            out.println("user:         " + r.getString("user"));
            out.println("id:           " + r.getString("id"));
            out.println("display name: " + r.getString("displayName"));
            out.println("access key:   " + r.getString("accessKey"));
            out.println("secret key:   " + r.getString("secretKey"));
            return 0;
        }

        @Command(name = "list", description = "List a tenant's access keys: access key, user, id, display name.")
        int list(@Option(names = "--tenant", required = true) String tenant) {
            JsonObject r = admin.call("GET", "users", "tenant=" + encode(tenant), null);
            if (r == null) return 1;
            for (Object o : r.getJsonArray("users")) {
                JsonObject u = (JsonObject) o;
                spec.commandLine()
                        .getOut()
                        .println(u.getString("accessKey") + "\t" + u.getString("user") + "\t" + u.getString("id") + "\t"
                                + u.getString("displayName"));
            }
            return 0;
        }

        @Command(name = "delete", description = "Delete an access key.")
        int delete(@Option(names = "--access-key", required = true) String accessKey) {
            JsonObject r = admin.call("DELETE", "users/" + encode(accessKey), "", null);
            if (r == null) return 1;
            spec.commandLine().getOut().println("access key " + accessKey + " deleted");
            return 0;
        }
    }
}
