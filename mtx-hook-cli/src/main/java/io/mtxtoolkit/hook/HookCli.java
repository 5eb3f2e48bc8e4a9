package io.mtxtoolkit.hook;

import io.mtxtoolkit.core.BuildVersion;
import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEventType;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The full command line of {@code mtx-hook} (help, version, flags), for people and scripts. */
@Command(name = "mtx-hook", mixinStandardHelpOptions = true, versionProvider = HookCli.Version.class,
    description = {
        "Posts a MediaMTX path event to the orchestrator, once (no retry).",
        "MediaMTX runs it from runOnReady/runOnNotReady with MTX_PATH, MTX_QUERY, MTX_SOURCE_TYPE and "
            + "MTX_SOURCE_ID set; ORCHESTRATOR_URL names the orchestrator (e.g. http://media-service:8080).",
        "Run by hand: mtx-hook ready --help shows the flags (--connect-timeout, --read-timeout, --dry-run) and their "
            + "variables.",
        "",
        "Exit codes: 0 delivered; 2 usage; 3 invalid environment; 4 orchestrator answered non-2xx; "
            + "5 orchestrator unreachable or timed out; 130 stopped by a signal before the orchestrator answered "
            + "(delivery unknown)."})
final class HookCli implements Runnable {
  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  private HookCli(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    HookCli root = new HookCli(env, out, err);
    CommandLine cli = new CommandLine(root);
    cli.addSubcommand(HookEventType.READY.wireName(), new CommandLine(new Send(root, HookEventType.READY)));
    cli.addSubcommand(HookEventType.NOT_READY.wireName(), new CommandLine(new Send(root, HookEventType.NOT_READY)));
    cli.getSubcommands().get("ready").getCommandSpec().usageMessage()
        .description("The path became ready (a publisher is streaming).");
    cli.getSubcommands().get("not-ready").getCommandSpec().usageMessage()
        .description("The path stopped being ready (the publisher left).");
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    // MediaMTX shows a hook's output in its own log, JSON line by line: whatever fails here, from a flag in
    // runOnReady to a variable, is one JSON line too, as from HookMain's fast path, and no usage text.
    cli.setParameterExceptionHandler((e, given) -> {
      root.failure(e.getCommandLine(), HookExit.USAGE, "usage", e.getMessage() + " (see mtx-hook --help)");
      return HookExit.USAGE.code();
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof ValidationException v) {
        root.failure(line, HookExit.INVALID_ENVIRONMENT, v.field(), v.getMessage());
        return HookExit.INVALID_ENVIRONMENT.code();
      }
      throw e;
    });
    return cli.execute(args);
  }

  /** One JSON line for a failure before any event was sent, naming the event when the command was one. */
  private void failure(CommandLine where, HookExit exit, String field, String message) {
    String event = where.getCommand() instanceof Send send ? send.type.wireName() : "none";
    HookLog.write(err, "ERROR", event, null, env, HookLog.Outcome.notSent(exit, event, field, message, 0));
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: ready or not-ready");
  }

  int send(HookEventType type, Options options, CommandSpec command) {
    // A flag replaces its variable, which is then not read: a bad value in the environment does not matter.
    Duration connect = flagOrEnvironment(command, "--connect-timeout", options.connectTimeoutMs,
        HookSettings.CONNECT_TIMEOUT_ENV, HookSettings.DEFAULT_CONNECT_TIMEOUT);
    Duration read = flagOrEnvironment(command, "--read-timeout", options.readTimeoutMs,
        HookSettings.READ_TIMEOUT_ENV, HookSettings.DEFAULT_READ_TIMEOUT);
    HookSettings settings = new HookSettings(connect, read, options.dryRun || HookSettings.dryRun(env));
    return new HookRun(type, settings).run(env, out, err).code();
  }

  /** The flag's value, a usage error (exit 2) when out of range; else the variable's (exit 3 when invalid). */
  private Duration flagOrEnvironment(CommandSpec command, String flag, Long flagMillis, String variable, Duration fallback) {
    if (flagMillis == null) {
      return HookSettings.millis(env, variable, fallback);
    }
    try {
      return HookSettings.checkTimeout(flag, Duration.ofMillis(flagMillis));
    } catch (ValidationException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
    }
  }

  /** Flags shared by both events; each has an environment twin because MediaMTX passes no flags. */
  static final class Options {
    @Option(names = "--connect-timeout", paramLabel = "MS", description = "Connect timeout in ms (env "
        + HookSettings.CONNECT_TIMEOUT_ENV + ", default 1000).")
    Long connectTimeoutMs;

    @Option(names = "--read-timeout", paramLabel = "MS", description = "Read timeout in ms (env "
        + HookSettings.READ_TIMEOUT_ENV + ", default 2000).")
    Long readTimeoutMs;

    @Option(names = "--dry-run", description = "Print the JSON payload instead of sending it (env " + HookSettings.DRY_RUN_ENV + "=1).")
    boolean dryRun;
  }

  /** {@code mtx-hook ready} and {@code mtx-hook not-ready}: one command object per event type. */
  @Command(mixinStandardHelpOptions = true, versionProvider = HookCli.Version.class)
  static final class Send implements Callable<Integer> {
    private final HookCli parent;
    private final HookEventType type;

    @Mixin
    Options options;

    Send(HookCli parent, HookEventType type) {
      this.parent = parent;
      this.type = type;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      return parent.send(type, options, spec);
    }
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildVersion.line("mtx-hook", HookCli.class)};
    }
  }
}
