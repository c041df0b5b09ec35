// The whole X screen ($DISPLAY) as a PNG, with AWT's Robot: tools/ide-check photographs the workbench with it (the
// machine has no ImageMagick). Run as a source-file program: java tools/Screenshot.java OUT.png
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.io.File;
import javax.imageio.ImageIO;

public class Screenshot {
    public static void main(String[] args) throws Exception {
        File png = new File(args[0]);
        if (png.getParentFile() != null) png.getParentFile().mkdirs();
        Rectangle screen = new Rectangle(Toolkit.getDefaultToolkit().getScreenSize());
        ImageIO.write(new Robot().createScreenCapture(screen), "png", png);
    }
}
