/* The headers every dashboard answer carries (web_impl.h). */
#include "web/web_impl.h"

/* Scripts, styles and fetches only from the page itself, no framing. */
static const char csp[] = "default-src 'none'; script-src 'self'; connect-src 'self'; "
			  "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
			  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void vg_web_add_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy", csp);
}

