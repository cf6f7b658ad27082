/**
 * The admin API under {@code /admin/}, for the master key only. {@link dev.switchboard.admin.AdminApi} routes teams,
 * keys and usage calls to one endpoint class each ({@code TeamsEndpoint}, {@code KeysEndpoint},
 * {@code UsageEndpoint}), runs them on a worker (they read and write the store through
 * {@link dev.switchboard.access.Keys} and {@link dev.switchboard.store.Store}), and sends their {@code Reply} back on
 * the exchange's event loop. {@code Fields} reads request bodies and refuses bad ones naming the field; {@code Views}
 * is the one place a team or key becomes JSON, and holds no secret. {@link dev.switchboard.admin.RoutesEndpoint}
 * explains routing ({@code GET /admin/routes/{model}}) and stays on the event loop: it reads only memory.
 * The CLI's {@code keys}, {@code teams} and {@code usage} commands are clients of this API.
 */
package dev.switchboard.admin;
