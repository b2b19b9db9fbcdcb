package io.junction.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner can read: directories 0700, files 0600 (payloads, counters, tokens).
 * On a file system without POSIX permissions these do what the plain calls do.
 */
public final class PrivateFiles
{
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles()
    {
    }

    /**
     * Create a directory and any missing parents 0700; an existing directory is left as it is (it may be shared
     * on purpose, such as /dev/shm), except a new leaf, which is made 0700.
     */
    public static Path createDirectories(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return dir;
        }
        final Path parent = dir.toAbsolutePath().getParent();
        if (null != parent && !Files.isDirectory(parent))
        {
            createDirectories(parent);
        }
        try
        {
            Files.createDirectory(dir, attributes(dir, DIRECTORY));
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(dir))
            {
                throw ex;
            }
        }
        return dir;
    }

    /** Make an existing file 0600 or directory 0700 (for files other code created). */
    public static void restrict(final Path path) throws IOException
    {
        if (isPosix(path))
        {
            Files.setPosixFilePermissions(path, Files.isDirectory(path) ? DIRECTORY : FILE);
        }
    }

    /** Write a file 0600 atomically: readable by nobody else at any moment. */
    public static void writeString(final Path file, final String text) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        final Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp", attributes(parent, FILE));
        try
        {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    private static FileAttribute<?>[] attributes(final Path near, final Set<PosixFilePermission> permissions)
    {
        return isPosix(near) ? new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(permissions) } :
            new FileAttribute<?>[0];
    }

    private static boolean isPosix(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
