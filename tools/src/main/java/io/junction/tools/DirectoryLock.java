package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

import io.junction.security.PrivateFiles;

/**
 * One daemon per directory: an exclusive lock on {@value #FILE_NAME} in it, holding the owner's pid, held for the
 * daemon's life. The operating system releases it when the process dies, however it dies, so a stale file never
 * blocks a restart.
 */
final class DirectoryLock implements AutoCloseable
{
    static final String FILE_NAME = "junction.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param what names the directory in the error, e.g. "data directory".
     * @throws IOException naming the other daemon's pid when another process (or this one) holds the lock.
     */
    static DirectoryLock acquire(final File dir, final String what) throws IOException
    {
        if (!dir.isDirectory())
        {
            try
            {
                PrivateFiles.createDirectories(dir.toPath());
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot create the " + what + " " + dir + ": " + ex.getMessage(), ex);
            }
        }
        final File file = new File(dir, FILE_NAME);
        final FileChannel channel = FileChannel.open(file.toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        PrivateFiles.restrict(file.toPath());
        FileLock lock = null;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // Held by this JVM.
        }
        if (null == lock)
        {
            final String pid = readPid(channel);
            channel.close();
            throw new InUseException("the " + what + " " + dir + " is in use by the running daemon pid " + pid +
                " (it holds " + file + "); give this daemon another --dir");
        }
        final byte[] pid = (ProcessHandle.current().pid() + System.lineSeparator()).getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
        channel.force(false);
        return new DirectoryLock(channel, lock);
    }

    /**
     * Another daemon holds the lock (as opposed to a directory that cannot be created or opened).
     */
    static final class InUseException extends IOException
    {
        private static final long serialVersionUID = 1L;

        InUseException(final String message)
        {
            super(message);
        }
    }

    private static String readPid(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? "(unknown)" : text;
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            lock.release();
        }
        finally
        {
            channel.close();
        }
    }
}
