package dev.lockwise.cli.config;

import dev.lockwise.domain.InvalidInputException;

/** A setting has a value Lockwise cannot use. The message names the setting, where it came from, and what is valid. */
public class ConfigException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
