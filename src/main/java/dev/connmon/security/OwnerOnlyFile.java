package dev.connmon.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Secrets connmon keeps in files (its generated API key, the stream token signing key, the embedded database's
 * password). Each file is born owner-only: created with mode 600 by the same call that creates it, never created
 * with the default mode and narrowed afterwards, which would leave a moment in which another user could open it.
 */
public final class OwnerOnlyFile {
    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private OwnerOnlyFile() {}

    /** Creates {@code file}, which must not exist yet, owner-only where the file system has POSIX modes. */
    public static void create(Path file, byte[] content) throws IOException {
        // not a POSIX file system: the directory's own protection applies
        FileAttribute<?>[] ownerOnly =
                file.getFileSystem().supportedFileAttributeViews().contains("posix")
                        ? new FileAttribute<?>[] {OWNER_ONLY}
                        : new FileAttribute<?>[0];
        try (SeekableByteChannel channel = Files.newByteChannel(
                file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
