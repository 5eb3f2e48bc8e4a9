package io.mtxtoolkit.hook;

import io.mtxtoolkit.core.ValidationException;
import io.mtxtoolkit.core.hook.HookEventType;
import java.io.PrintStream;
import java.util.Map;

/**
 * Entry point of {@code mtx-hook}. MediaMTX always runs it as {@code mtx-hook ready} or
 * {@code mtx-hook not-ready}; that exact form goes straight to {@link HookRun} because every
 * millisecond of JVM start-up delays the event (one JVM per event). Anything else — help, version,
 * flags — goes through the picocli command line.
 */
public final class HookMain {
  private HookMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("ready") || args[0].equals("not-ready"))) {
      HookEventType type = HookEventType.fromWireName("command", args[0]);
      HookSettings settings;
      try {
        settings = HookSettings.fromEnvironment(env);
      } catch (ValidationException e) {
        // the same JSON line as every other outcome: MediaMTX shows nothing else of a hook
        HookLog.write(err, "ERROR", type.wireName(), null, env,
            HookLog.Outcome.notSent(HookExit.INVALID_ENVIRONMENT, type.wireName(), e.field(), e.getMessage(), 0));
        return HookExit.INVALID_ENVIRONMENT.code();
      }
      return new HookRun(type, settings).run(env, out, err).code();
    }
    return HookCli.run(args, env, out, err);
  }
}
