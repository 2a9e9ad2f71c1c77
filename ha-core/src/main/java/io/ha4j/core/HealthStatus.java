package io.ha4j.core;

/** Whether a health-checked target is up. */
public enum HealthStatus { UP, DOWN }
