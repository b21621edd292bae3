import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.CommandLineInput;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local like its own ServerRunner does, but bound to one address (127.0.0.1 unless
 * -Dtradeflow.bind says otherwise): the stock launcher has no host option and listens on every interface.
 * Takes DynamoDB Local's own arguments (-inMemory -sharedDb -port N ...). Telemetry is never configured,
 * so nothing leaves the machine.
 *
 * <p>With -Dtradeflow.exitWhenStdinCloses=true the JVM exits once its standard input reaches end of file:
 * a parent process that holds the other end of the pipe (the all-in-one) takes this child with it when it
 * dies, even by SIGKILL, which no signal handler in the parent could promise.
 */
public final class LoopbackDynamoDbLocal {
  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("tradeflow.bind", "127.0.0.1");
    if (Boolean.getBoolean("tradeflow.exitWhenStdinCloses")) {
      exitWhenClosed(System.in);
    }
    if (!new CommandLineInput(args).init()) {
      return; // -help or -version: already printed
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is private and created with `new Server(port)`; its connector is not started yet.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host + " " + String.join(" ", args));
  }

  /** Exits the JVM when `in` reaches end of file (or fails), from a daemon thread. */
  private static void exitWhenClosed(InputStream in) {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (in.read() >= 0) {
                  // Whatever the parent writes is ignored; only the end of the stream matters.
                }
              } catch (IOException ignored) {
                // A broken pipe means the same as end of file: the parent is gone.
              }
              System.exit(0);
            },
            "tradeflow-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
