package io.mtxtoolkit.worker;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Example step {@code label}: burns the text "mtx-worker" and the wall-clock time into the top-left corner. */
public final class LabelProcessor implements FrameProcessor {
  /** Fixed width: Instant.toString() leaves the fraction out at a whole second. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private final Java2DFrameConverter converter = new Java2DFrameConverter();
  private Font font;

  @Override
  public String name() {
    return "label";
  }

  @Override
  public void open(int width, int height, double frameRate) {
    font = new Font(Font.MONOSPACED, Font.BOLD, Math.max(10, height / 18));
  }

  /** The converter's frame holds a picture in native memory; a session's step is closed at its end (reconnects). */
  @Override
  public void close() {
    converter.close();
  }

  @Override
  public Frame processVideo(Frame video) {
    BufferedImage image = converter.convert(video);
    Graphics2D g = image.createGraphics();
    try {
      g.setFont(font == null ? new Font(Font.MONOSPACED, Font.BOLD, 14) : font);
      int h = g.getFontMetrics().getHeight();
      String text = label(Instant.now());
      g.setColor(new Color(0, 0, 0, 160));
      g.fillRect(0, 0, g.getFontMetrics().stringWidth(text) + 8, h + 6);
      g.setColor(Color.WHITE);
      g.drawString(text, 4, h);
    } finally {
      g.dispose();
    }
    return converter.convert(image);
  }

  /** The burned-in text at {@code now}: "mtx-worker HH:mm:ss.SSS" (UTC). */
  static String label(Instant now) {
    return "mtx-worker " + TIME.format(now);
  }
}
