/**
 * Test kits that users may use in their own tests: a scheduler whose time moves only when told to.
 */
package io.ha4j.core.testing;
