package io.mtxtoolkit.testkit.mediamtx;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.ResourceReaper;

/**
 * The pinned MediaMTX taken from the official image ({@code bluenviron/mediamtx:<version>}) through
 * Testcontainers, for a machine with a Docker engine and no MediaMTX build. The binary is copied out of the
 * image, not run in a container: the tests' hooks and orchestrators run on the host and reach each other on
 * loopback, exactly as with a local build. It lands in install.sh's version-keyed cache, so later runs,
 * {@code make mediamtx} and {@code make dev} find it there.
 */
final class OfficialImage {
  static final String REPOSITORY = "bluenviron/mediamtx";
  /** Set to {@code 0} to never look for a Docker engine (the run then needs a MediaMTX binary). */
  static final String SWITCH = "MEDIAMTX_FROM_IMAGE";

  /** Reads one file of an image. */
  @FunctionalInterface
  interface FileSource {
    /** Hands {@code reader} the tar archive Docker makes of {@code path} in {@code image}. */
    void read(String image, String path, TarReader reader) throws IOException;
  }

  /** Consumes a tar archive. */
  @FunctionalInterface
  interface TarReader {
    void accept(InputStream tar) throws IOException;
  }

  private OfficialImage() {}

  /** The image tag of a MediaMTX version: the release {@code v1.16.3} is the tag {@code 1.16.3}. */
  static String image(String version) {
    return REPOSITORY + ":" + (version.startsWith("v") ? version.substring(1) : version);
  }

  /** Whether this run may and can use the image: not switched off, a Linux host, a Docker engine answering. */
  static boolean usable() {
    return !"0".equals(System.getenv(SWITCH)) && isLinux(System.getProperty("os.name"))
        && DockerClientFactory.instance().isDockerAvailable();
  }

  static boolean isLinux(String osName) {
    return osName != null && osName.toLowerCase(Locale.ROOT).startsWith("linux");
  }

  /** Copies the binary of {@code version} out of its official image into {@code cacheRoot/<version>/mediamtx}. */
  static Path install(String version, Path cacheRoot) {
    return install(version, cacheRoot, OfficialImage::readFromEngine);
  }

  static Path install(String version, Path cacheRoot, FileSource source) {
    Path target = cacheRoot.resolve(version).resolve("mediamtx");
    String image = image(version);
    try {
      Files.createDirectories(target.getParent());
      // A sibling temporary file and a rename: a concurrent run sees either no binary or a whole one.
      Path part = Files.createTempFile(target.getParent(), "mediamtx-", ".part");
      try {
        source.read(image, "/mediamtx", tar -> extractOnlyFile(tar, part, image));
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rwxr-xr-x"));
        String reported = MediaMtxBinary.version(part);
        if (!version.equals(reported)) {
          throw new IOException("its binary reports version \"" + reported + "\", not " + version);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
      } finally {
        Files.deleteIfExists(part);
      }
    } catch (IOException | RuntimeException e) { // docker-java reports in unchecked exceptions
      throw new IllegalStateException("cannot copy MediaMTX out of " + image + " into " + target + ": " + e, e);
    }
  }

  /** Writes the archive's single regular file to {@code target}. */
  static void extractOnlyFile(InputStream tar, Path target, String image) throws IOException {
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    for (TarArchiveEntry entry = in.getNextTarEntry(); entry != null; entry = in.getNextTarEntry()) {
      if (entry.isFile()) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        return;
      }
    }
    throw new IOException(image + " holds no file /mediamtx");
  }

  private static void readFromEngine(String image, String path, TarReader reader) throws IOException {
    DockerClient docker = DockerClientFactory.instance().client();
    DockerClientFactory.instance().checkAndPullImage(docker, image);
    // Created, never started: the image is FROM scratch, and only its file is wanted. The session label
    // lets Testcontainers' reaper remove the container should this JVM die before the finally block.
    Map<String, String> labels = new HashMap<>(DockerClientFactory.DEFAULT_LABELS);
    labels.putAll(ResourceReaper.instance().getLabels());
    String id = docker.createContainerCmd(image).withLabels(labels).exec().getId();
    Throwable failure = null;
    try (InputStream tar = docker.copyArchiveFromContainerCmd(id, path).exec()) {
      reader.accept(tar);
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      try {
        docker.removeContainerCmd(id).withForce(true).exec();
      } catch (RuntimeException e) {
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e); // the copy's failure is the one to report
      }
    }
  }
}
