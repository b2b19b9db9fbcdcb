package io.junction.security;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash as it is written in the config:
 * {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>}. The iteration count travels with the hash, so
 * it can be raised for new hashes without invalidating old ones. Immutable and thread-safe.
 */
public final class PasswordHash
{
    public static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 310_000;
    /** Below this a hash is refused when parsed: too cheap to guess. */
    public static final int MIN_ITERATIONS = 1_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(final int iterations, final byte[] salt, final byte[] hash)
    {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hash a password with a fresh random salt and the default iteration count. */
    public static PasswordHash create(final char[] password)
    {
        return create(password, DEFAULT_ITERATIONS);
    }

    public static PasswordHash create(final char[] password, final int iterations)
    {
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("iterations " + iterations + " < " + MIN_ITERATIONS);
        }
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the text (never echoing the hash itself).
     */
    public static PasswordHash parse(final String encoded)
    {
        final String[] parts = null == encoded ? new String[0] : encoded.split("\\$", -1);
        if (parts.length != 4 || !SCHEME.equals(parts[0]))
        {
            throw new IllegalArgumentException(
                "password hash must be " + SCHEME + "$<iterations>$<salt base64>$<hash base64> (see 'junction passwd')");
        }
        final int iterations;
        final byte[] salt;
        final byte[] hash;
        try
        {
            iterations = Integer.parseInt(parts[1]);
            salt = Base64.getDecoder().decode(parts[2]);
            hash = Base64.getDecoder().decode(parts[3]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("password hash has a bad iteration count or base64: " + ex.getMessage());
        }
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("password hash iterations " + iterations + " < " + MIN_ITERATIONS);
        }
        if (salt.length < 8 || hash.length < 16)
        {
            throw new IllegalArgumentException("password hash salt or hash too short");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Whether the password is the one hashed; the final comparison takes the same time wherever they differ. */
    public boolean matches(final char[] password)
    {
        final byte[] candidate = derive(password, salt, iterations, hash.length);
        try
        {
            return MessageDigest.isEqual(hash, candidate);
        }
        finally
        {
            Arrays.fill(candidate, (byte)0);
        }
    }

    public int iterations()
    {
        return iterations;
    }

    /** The config form. */
    public String encoded()
    {
        final Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Override
    public String toString()
    {
        return SCHEME + "$" + iterations + "$…";
    }

    private static byte[] derive(final char[] password, final byte[] salt, final int iterations, final int bytes)
    {
        final PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try
        {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " unavailable in this JDK", ex);
        }
        finally
        {
            spec.clearPassword();
        }
    }
}
