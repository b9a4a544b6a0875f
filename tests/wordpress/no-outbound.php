<?php
/*
 * capsule's test WordPress: no request and no mail ever leaves the
 * machine (WP_HTTP_BLOCK_EXTERNAL is set too; this also stops requests
 * to the site itself and mail through sendmail).
 */
add_filter('pre_http_request', function () {
	return new WP_Error('capsule_test', 'outbound requests are blocked');
}, 1);
add_filter('pre_wp_mail', '__return_false');
/* The tests' switch: a site whose owner turned its REST API off, as the
 * "disable REST API" plugins do. */
add_filter('rest_authentication_errors', function ($r) {
	if (file_exists(WP_CONTENT_DIR . '/rest-disabled'))
		return new WP_Error('rest_disabled',
		    'The REST API is disabled on this site.', ['status' => 401]);
	return $r;
});
