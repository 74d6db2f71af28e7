package dev.ferry.groups;

/** One group's settings under its name, as {@link EffectiveSettings} combines them. */
public record GroupSettings(String name, Settings settings) {
}
