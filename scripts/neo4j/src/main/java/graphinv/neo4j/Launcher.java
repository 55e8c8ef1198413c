package graphinv.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.io.ByteUnit;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.io.fs.FileSystemAbstraction;
import org.neo4j.kernel.impl.security.User;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.memory.EmptyMemoryTracker;
import org.neo4j.server.security.SecureHasher;
import org.neo4j.server.security.SystemGraphCredential;
import org.neo4j.server.security.auth.CommunitySecurityModule;
import org.neo4j.server.security.auth.FileUserRepository;
import org.neo4j.string.UTF8;

/**
 * Runs Neo4j Community embedded as a local Bolt-only server for graphinv.
 *
 * Usage: Launcher --port PORT --data DIR [--pagecache 256m] [--exit-on-stdin-eof]
 * Password: env GRAPHINV_NEO4J_PASSWORD (user neo4j). Page cache: --pagecache,
 * else env GRAPHINV_NEO4J_PAGECACHE, else 256m. Prints one ready line on stdout.
 */
public final class Launcher {
    static final String READY = "graphinv-neo4j ready bolt://127.0.0.1:";

    private Launcher() {}

    public static void main(String[] args) {
        // Keep the real stdout for our two protocol lines; anything a library prints
        // goes to stderr so the parent can rely on stdout carrying only what we say.
        PrintStream out = System.out;
        System.setOut(System.err);
        try {
            run(args, out);
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            t.printStackTrace(System.err);
            System.err.println("graphinv-neo4j failed: " + root);
            System.err.flush();
            // halt, not exit: a half-built service may hold non-daemon threads.
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args, PrintStream out) throws Exception {
        Integer port = null;
        Path data = null;
        String pagecache = System.getenv().getOrDefault("GRAPHINV_NEO4J_PAGECACHE", "256m");
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
                case "--pagecache" -> pagecache = args[++i];
                case "--exit-on-stdin-eof" -> watchStdin = true;
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (port == null || data == null) {
            throw new IllegalArgumentException("usage: Launcher --port PORT --data DIR [--pagecache SIZE]");
        }
        String password = System.getenv("GRAPHINV_NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("GRAPHINV_NEO4J_PASSWORD is not set");
        }
        Files.createDirectories(data);

        Map<Setting<?>, Object> cfg = new HashMap<>();
        cfg.put(BoltConnector.enabled, true);
        cfg.put(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port));
        cfg.put(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port));
        // Local dev server: plain Bolt on loopback, no TLS material to manage.
        cfg.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        // A 2-core CI box: the default 400-thread ceiling only invites oversubscription.
        cfg.put(BoltConnector.thread_pool_max_size, 64);
        // Netty's default 5 s quiet period per event-loop group made SIGTERM take ~10 s;
        // a test suite that restarts the server pays that every time.
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5));
        cfg.put(HttpConnector.enabled, false);
        cfg.put(HttpsConnector.enabled, false);
        // Routing would open a second listener (7688) and advertise it; we want one port.
        cfg.put(GraphDatabaseSettings.routing_enabled, false);
        cfg.put(GraphDatabaseSettings.udc_enabled, false);
        cfg.put(GraphDatabaseSettings.auth_enabled, true);
        cfg.put(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache));
        // Logs stay on disk under DIR/logs; the query log would grow with every test.
        cfg.put(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF);
        // Tests and benchmarks churn data: keep only a little transaction log around.
        cfg.put(GraphDatabaseSettings.keep_logical_logs, "2 files");
        cfg.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        // LOAD CSV must not read the machine's files: no file:// URLs, and the import
        // directory is an empty folder of the server's own.
        Path imports = data.resolve("import");
        Files.createDirectories(imports);
        cfg.put(GraphDatabaseSettings.allow_file_urls, false);
        cfg.put(GraphDatabaseSettings.load_csv_file_url_root, imports);
        // One runaway query fails alone instead of exhausting the heap for everyone.
        cfg.put(GraphDatabaseSettings.memory_transaction_max_size, Runtime.getRuntime().maxMemory() / 2);

        if (!Files.isDirectory(data.resolve("data").resolve("databases").resolve("system"))) {
            writeInitialPassword(data, password);
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(data)
                .setConfig(cfg)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
                out.println("graphinv-neo4j stopped");
                out.flush();
            } finally {
                stopped.countDown();
            }
        }, "graphinv-neo4j-shutdown"));

        log("service built");
        GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!neo4j.isAvailable(TimeUnit.MINUTES.toMillis(3))) {
            throw new IllegalStateException("database 'neo4j' did not become available");
        }
        log("database available");
        setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
        log("password set");

        if (watchStdin) {
            watchParent(System.in);
        }
        out.println(READY + port);
        out.flush();
        // The service threads keep the JVM alive; block here only so main's
        // exception handler never sees a normal return path race with shutdown.
        stopped.await();
    }

    /** Timestamped progress on stderr (the log file), to see where start-up time goes. */
    private static void log(String what) {
        long ms = System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        System.err.printf("graphinv-neo4j: %s after %d ms%n", what, ms);
    }

    /**
     * What `neo4j-admin dbms set-initial-password` does: an auth.ini the system database
     * reads when it is first created. Saves the ~10 s a first Cypher ALTER USER costs.
     */
    private static void writeInitialPassword(Path home, String password) throws Exception {
        Config config = Config.newBuilder().set(GraphDatabaseSettings.neo4j_home, home).build();
        Path file = CommunitySecurityModule.getInitialUserRepositoryFile(config);
        try (FileSystemAbstraction fs = new DefaultFileSystemAbstraction()) {
            fs.mkdirs(file.getParent());
            fs.deleteFile(file);
            FileUserRepository repo = new FileUserRepository(
                    fs, file, NullLogProvider.getInstance(), EmptyMemoryTracker.INSTANCE);
            repo.start();
            repo.create(new User("neo4j", null,
                    SystemGraphCredential.createCredentialForPassword(UTF8.encode(password), new SecureHasher()),
                    false, false));
            repo.shutdown();
        }
    }

    /** True if neo4j already has this password and needs no change at login. */
    private static boolean passwordIsCurrent(GraphDatabaseService system, String password) {
        // Reading the system graph directly avoids compiling Cypher just to find out
        // nothing needs doing; any surprise in its shape just means "set it again".
        try (Transaction tx = system.beginTx()) {
            Node user = tx.findNode(Label.label("User"), "name", "neo4j");
            if (user == null || !Boolean.FALSE.equals(user.getProperty("passwordChangeRequired", null))) {
                return false;
            }
            String stored = (String) user.getProperty("credentials", null);
            return stored != null && SystemGraphCredential.deserialize(stored, new SecureHasher())
                    .matchesPassword(UTF8.encode(password));
        } catch (Exception e) {
            return false;
        }
    }

    /** Sets neo4j's password without the first-login change requirement. */
    private static void setPassword(GraphDatabaseService system, String password) {
        if (passwordIsCurrent(system, password)) {
            return;
        }
        log("changing the neo4j password");
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
        } catch (RuntimeException e) {
            // Restarting on an existing data dir with the same password: Neo4j refuses
            // a "change" to the current password, which is exactly the state we want.
            String msg = String.valueOf(e.getMessage()) + " " + e.getCause();
            if (!msg.contains("Old password and new password cannot be the same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    /**
     * Exits (running the shutdown hook) when stdin closes: the parent holds the
     * pipe's other end, so even a SIGKILLed parent does not leave an orphan JVM.
     */
    private static void watchParent(InputStream in) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // Ignore input; we only care about end of stream.
                }
            } catch (IOException ignored) {
                // A broken pipe means the parent is gone, same as EOF.
            }
            System.exit(0);
        }, "graphinv-neo4j-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
