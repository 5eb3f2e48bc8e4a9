package io.mtxtoolkit.core.config;

import io.mtxtoolkit.core.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A MediaMTX configuration file as an ordered tree: load, read and override keys, check it against a
 * MediaMTX version's reference keys and against this pipeline's rules, and write it back.
 * Instances are immutable; {@code with*} methods return modified copies.
 */
public final class MediaMtxConfig {
  /** Largest configuration file accepted; MediaMTX configs are a few KiB. */
  static final int MAX_CODE_POINTS = 1 << 20;

  private final Map<String, Object> root;

  private MediaMtxConfig(Map<String, Object> root) {
    this.root = root;
  }

  public static MediaMtxConfig load(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new ValidationException("config", "cannot read MediaMTX config " + file + ": " + e.getMessage());
    }
  }

  public static MediaMtxConfig parse(String yamlText) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setAllowDuplicateKeys(false);
    Object tree;
    try {
      tree = new Yaml(new SafeConstructor(options)).load(yamlText);
    } catch (YAMLException e) {
      throw new ValidationException("config", "MediaMTX config is not valid YAML: " + e.getMessage());
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ValidationException("config", "MediaMTX config must be a mapping at the top level");
    }
    return new MediaMtxConfig(deepCopy(map));
  }

  /** The value at a dotted key ({@code pathDefaults.record}), or null. Path names may contain dots only as the last segment's parent: use {@link #path}. */
  public Object get(String dottedKey) {
    Object node = root;
    for (String part : dottedKey.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(part);
    }
    return deepCopyValue(node); // a section is a copy: the configuration stays as read
  }

  /** The settings of one entry under {@code paths:} (its name may be a regular expression), or an empty map. */
  public Map<String, Object> path(String name) {
    Object paths = root.get("paths");
    if (paths instanceof Map<?, ?> map && map.get(name) instanceof Map<?, ?> settings) {
      return Collections.unmodifiableMap(deepCopy(settings));
    }
    return Map.of();
  }

  /** Names under {@code paths:} in file order. */
  public List<String> pathNames() {
    Object paths = root.get("paths");
    List<String> names = new ArrayList<>();
    if (paths instanceof Map<?, ?> map) {
      map.keySet().forEach(k -> names.add(String.valueOf(k)));
    }
    return names;
  }

  /** A copy with the top-level or {@code section.key} value replaced (created if absent). */
  public MediaMtxConfig with(String dottedKey, Object value) {
    Map<String, Object> copy = deepCopy(root);
    String[] parts = dottedKey.split("\\.", 2);
    if (parts.length == 1) {
      copy.put(parts[0], value);
    } else {
      sectionOf(copy, parts[0]).put(parts[1], value);
    }
    return new MediaMtxConfig(copy);
  }

  /** A copy with {@code key: value} set on the named entry under {@code paths:}. */
  public MediaMtxConfig withPathSetting(String pathName, String key, Object value) {
    Map<String, Object> copy = deepCopy(root);
    sectionOf(sectionOf(copy, "paths"), pathName).put(key, value);
    return new MediaMtxConfig(copy);
  }

  /** A copy with each given listener bound to {@code host:port}. */
  public MediaMtxConfig withListeners(String host, Map<Listener, Integer> ports) {
    Map<String, Object> copy = deepCopy(root);
    ports.forEach((listener, port) -> copy.put(listener.addressKey(), (host == null ? "" : host) + ":" + port));
    return new MediaMtxConfig(copy);
  }

  /** True when the server behind {@code listener} is switched on (MediaMTX's defaults apply to absent keys). */
  public boolean isEnabled(Listener listener) {
    Object value = root.get(listener.enableKey());
    if (value == null) {
      return switch (listener) {
        case PPROF, API, METRICS, PLAYBACK -> false;
        default -> true;
      };
    }
    return Boolean.TRUE.equals(value) || "yes".equals(value) || "true".equals(value);
  }

  /** The port part of the listener's address, or its default when the key is absent. */
  public int port(Listener listener) {
    Object address = root.get(listener.addressKey());
    if (address == null) {
      return listener.defaultPort();
    }
    String text = String.valueOf(address);
    int colon = text.lastIndexOf(':');
    try {
      return Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ValidationException(listener.addressKey(), "address " + text + " has no numeric port");
    }
  }

  /**
   * Every key of this file in the notation of a reference key list: {@code key} at the top level,
   * {@code pathDefaults.key} for path settings (also those of each entry under {@code paths:}), and
   * {@code parent.child} for mappings inside mappings or lists, at any depth (e.g. {@code authInternalUsers.user},
   * {@code authInternalUsers.permissions.action}).
   */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    root.forEach((key, value) -> {
      keys.add(key);
      if (key.equals("paths") && value instanceof Map<?, ?> paths) {
        // each entry's name is the operator's, not a key; its settings are path settings
        paths.values().forEach(settings -> addNested("pathDefaults", settings, keys));
      } else {
        addNested(key, value, keys);
      }
    });
    return keys;
  }

  private static void addNested(String prefix, Object value, Set<String> keys) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        String key = prefix + "." + k;
        keys.add(key);
        addNested(key, v, keys);
      });
    } else if (value instanceof List<?> list) {
      list.forEach(item -> addNested(prefix, item, keys));
    }
  }

  /** Keys of this file that the reference list does not know, in file order. */
  public List<String> unknownKeys(Collection<String> referenceKeys) {
    List<String> unknown = new ArrayList<>();
    for (String key : keys()) {
      if (!referenceKeys.contains(key)) {
        unknown.add(key);
      }
    }
    return unknown;
  }

  /** The rules this pipeline relies on (see {@link PipelineRules}); empty when all hold. */
  public List<String> pipelineProblems() {
    return PipelineRules.check(this);
  }

  public String toYaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(200);
    return new Yaml(new Representer(options), options).dump(root);
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toYaml());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sectionOf(Map<String, Object> parent, String key) {
    Object existing = parent.get(key);
    if (existing instanceof Map<?, ?>) {
      return (Map<String, Object>) existing;
    }
    Map<String, Object> section = new LinkedHashMap<>();
    parent.put(key, section);
    return section;
  }

  private static Map<String, Object> deepCopy(Map<?, ?> source) {
    Map<String, Object> copy = new LinkedHashMap<>();
    source.forEach((k, v) -> copy.put(String.valueOf(k), deepCopyValue(v)));
    return copy;
  }

  private static Object deepCopyValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return deepCopy(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(deepCopyValue(item)));
      return copy;
    }
    return value;
  }
}
