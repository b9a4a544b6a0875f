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
