package io.junction.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.CloseHelper;

/**
 * The memory of connections' send buffers (their delivery rings, {@code network.send-buffer} each), committed as
 * it is used: each ring is a private (copy-on-write) mapping of one sparse, already deleted temporary file, so
 * the kernel gives it a page only when a MESSAGE is first written there. A subscribed connection that is sent
 * little holds a few pages rather than the whole ring (a direct buffer is zeroed, so touched, in full when
 * allocated); one that is sent a lot holds up to the configured size, which stays the bound. A mapping is
 * unmapped when its ring is garbage collected, so a pipeline thread still holding a closed connection's ring
 * never writes into freed memory. Where the file cannot be made, rings are plain direct buffers.
 */
final class SendBufferMemory implements AutoCloseable
{
    private final int length;
    private final FileChannel channel;

    /**
     * @param length bytes of one ring (its capacity and trailer).
     */
    SendBufferMemory(final int length)
    {
        this.length = length;
        FileChannel sparse = null;
        try
        {
            final Path file = Files.createTempFile("junction-send-buffers-", ".map"); // 0600
            try
            {
                sparse = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                sparse.write(ByteBuffer.wrap(new byte[1]), length - 1); // a hole up to the last byte
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(sparse);
            sparse = null;
        }
        channel = sparse;
    }

    /**
     * @return true if rings are mapped (committed as used), false if they are direct buffers.
     */
    boolean isMapped()
    {
        return null != channel;
    }

    /**
     * @return the zeroed memory of one ring.
     * @throws IllegalStateException if there is no memory for it (the SUBSCRIBE asking is refused).
     */
    ByteBuffer allocate()
    {
        if (null != channel)
        {
            try
            {
                return channel.map(FileChannel.MapMode.PRIVATE, 0, length);
            }
            catch (final IOException | RuntimeException ex)
            {
                // Out of address space or mappings: a direct buffer still serves.
            }
        }
        return BufferPool.allocate(length, "send");
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(channel); // Mappings stay valid until their rings are collected.
    }
}
