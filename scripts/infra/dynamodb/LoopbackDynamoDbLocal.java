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
 */
public final class LoopbackDynamoDbLocal {
  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("tradeflow.bind", "127.0.0.1");
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
}
