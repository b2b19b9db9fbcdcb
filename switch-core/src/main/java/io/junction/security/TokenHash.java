package io.junction.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A bearer token as the config stores it: {@code sha256$<base64 of SHA-256(token)>}. Tokens are long and random,
 * so a fast hash is enough; storing the hash means a leaked config does not leak the token.
 */
public final class TokenHash
{
    public static final String SCHEME = "sha256";

    private TokenHash()
    {
    }

    public static byte[] digest(final byte[] token)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(token);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", ex);
        }
    }

    /** The config form of a token. */
    public static String encode(final byte[] token)
    {
        return SCHEME + "$" + Base64.getEncoder().withoutPadding().encodeToString(digest(token));
    }

    /**
     * @return the 32-byte digest of a config entry.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static byte[] parse(final String encoded)
    {
        final int dollar = null == encoded ? -1 : encoded.indexOf('$');
        if (dollar < 0 || !SCHEME.equals(encoded.substring(0, dollar)))
        {
            throw new IllegalArgumentException("token hash must be " + SCHEME + "$<base64 of SHA-256(token)>" +
                " (see 'junction passwd --token')");
        }
        final byte[] digest;
        try
        {
            digest = Base64.getDecoder().decode(encoded.substring(dollar + 1));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("token hash has bad base64: " + ex.getMessage());
        }
        if (digest.length != 32)
        {
            throw new IllegalArgumentException("token hash is " + digest.length + " bytes, SHA-256 is 32");
        }
        return digest;
    }
}
