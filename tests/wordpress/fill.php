<?php
/*
 * fill.php HOST install|fill|edit KEY|publish KEY: capsule's test WordPress, through
 * WordPress's own functions (run by setup.sh, as the web server would run
 * WordPress: WORDPRESS_CONFIG names its config).
 *
 *   install  wp_install() when the site has no tables yet;
 *   fill     settings, users, posts, pictures: only what differs from
 *            the plan below is written, so a second fill writes nothing
 *            and undoes an edit;
 *   edit KEY changes one post's text, as an editor would;
 *   publish KEY makes a scheduled post live, as WordPress's cron does.
 *
 * The plan: the tag "Big Archive" holds ARCHIVE published posts (more than
 * one REST page of 100 and many feed pages of 10), some with pictures
 * (block images, a [caption], a gallery, a featured image: small JPEGs
 * made with GD), and tagged posts that must never be imported: a draft, a
 * pending, a private, a scheduled and a password-protected post. Beside
 * them: posts outside the tag, a page, and the ten posts of content/
 * (content_posts.py) under their own tags, among them "MEK Support".
 */
const ARCHIVE = 150;

$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$mode = $argv[2] ?? 'fill';
if ($mode === 'install')
	define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/image.php';

$written = 0;

if ($mode === 'install') {
	if (!is_blog_installed()) {
		$r = wp_install('MEK Support: a tag archive', 'admin',
		    'admin@example.invalid', false, '', 'capsule-test-only');
		echo "installed WordPress " . get_bloginfo('version') . "\n";
	}
	exit(0);
}
kses_remove_filters();	/* stored as given, as an admin's would be */

function opt($name, $value) {
	global $written;
	if (get_option($name) !== $value) {
		update_option($name, $value);
		$written++;
	}
}

function user_for($display) {
	global $written;
	$login = 'u' . substr(md5($display), 0, 10);
	$u = get_user_by('login', $login);
	if ($u)
		return $u->ID;
	$id = wp_insert_user(['user_login' => $login, 'user_pass' => wp_generate_password(),
	    'display_name' => $display, 'nickname' => $display,
	    'user_nicename' => sanitize_title($display), 'role' => 'author']);
	if (is_wp_error($id))
		die("user $display: " . $id->get_error_message() . "\n");
	$written++;
	return $id;
}

/* A small real JPEG at uploads/$rel, made once; its attachment's id. */
function picture($rel, $alt, $seed, $parent = 0) {
	global $written;
	$found = get_posts(['post_type' => 'attachment', 'post_status' => 'any',
	    'meta_key' => '_capsule_key', 'meta_value' => $rel, 'numberposts' => 1]);
	if ($found)
		return $found[0]->ID;
	$up = wp_upload_dir();
	$file = $up['basedir'] . '/' . $rel;
	wp_mkdir_p(dirname($file));
	$im = imagecreatetruecolor(320, 180);
	$c = imagecolorallocate($im, ($seed * 53) % 256, ($seed * 97) % 256, ($seed * 31) % 256);
	imagefilledrectangle($im, 0, 0, 319, 179, $c);
	$w = imagecolorallocate($im, 255, 255, 255);
	imagestring($im, 5, 20, 80, "capsule test $seed", $w);
	imagejpeg($im, $file, 80);
	imagedestroy($im);
	$id = wp_insert_attachment(['post_mime_type' => 'image/jpeg',
	    'post_title' => $alt, 'post_status' => 'inherit',
	    'guid' => $up['baseurl'] . '/' . $rel], $file, $parent);
	if (is_wp_error($id) || !$id)
		die("attachment $rel failed\n");
	wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $file));
	update_post_meta($id, '_wp_attachment_image_alt', $alt);
	update_post_meta($id, '_capsule_key', $rel);
	$written++;
	return $id;
}

function url_of($id) { return wp_get_attachment_url($id); }

/* One post of the plan: inserted, or updated where it differs. */
function post($key, $p) {
	global $written;
	$p += ['post_type' => 'post', 'post_status' => 'publish', 'post_password' => '',
	    'tags' => [], 'cats' => []];
	$found = get_posts(['post_type' => $p['post_type'], 'post_status' => 'any',
	    'meta_key' => '_capsule_key', 'meta_value' => $key, 'numberposts' => 1]);
	$fields = ['post_title', 'post_content', 'post_status', 'post_date',
	    'post_password', 'post_author', 'post_name', 'post_type'];
	$arr = [];
	foreach ($fields as $f)
		if (isset($p[$f]))
			$arr[$f] = $p[$f];
	if ($found) {
		$id = $found[0]->ID;
		$diff = false;
		foreach ($arr as $f => $v)
			if ((string)$found[0]->$f !== (string)$v)
				$diff = true;
		if ($diff) {
			$arr['ID'] = $id;
			$r = wp_update_post(wp_slash($arr), true);
			if (is_wp_error($r))
				die("$key: " . $r->get_error_message() . "\n");
			$written++;
		}
	} else {
		$id = wp_insert_post(wp_slash($arr), true);
		if (is_wp_error($id))
			die("$key: " . $id->get_error_message() . "\n");
		update_post_meta($id, '_capsule_key', $key);
		$written++;
	}
	if ($p['post_type'] === 'post') {
		$have = wp_get_post_tags($id, ['fields' => 'names']);
		$want = $p['tags'];
		sort($have); sort($want);
		if ($have !== $want) {
			wp_set_post_tags($id, $p['tags'], false);
			$written++;
		}
		$cats = [];
		foreach ($p['cats'] as $c) {
			$t = term_exists($c, 'category');
			if (!$t)
				$t = wp_insert_term($c, 'category');
			$cats[] = (int)$t['term_id'];
		}
		if (!$cats)
			$cats = [(int)get_option('default_category')];
		$have = wp_get_post_categories($id);
		sort($have); sort($cats);
		if ($have !== $cats) {
			wp_set_post_categories($id, $cats);
			$written++;
		}
	}
	if (isset($p['thumbnail']) && (int)get_post_thumbnail_id($id) !== $p['thumbnail']) {
		set_post_thumbnail($id, $p['thumbnail']);
		$written++;
	}
	return $id;
}

function para($t) { return "<!-- wp:paragraph -->\n<p>$t</p>\n<!-- /wp:paragraph -->"; }
function image_block($id, $alt, $caption = null) {
	$fig = '<figure class="wp-block-image size-full"><img src="' . esc_url(url_of($id)) .
	    '" alt="' . esc_attr($alt) . '" class="wp-image-' . $id . '"/>';
	if ($caption !== null)
		$fig .= '<figcaption class="wp-element-caption">' . esc_html($caption) . '</figcaption>';
	return "<!-- wp:image {\"id\":$id,\"sizeSlug\":\"full\"} -->\n$fig</figure>\n<!-- /wp:image -->";
}

/* What archive post $n says: the test computes the same text. */
function archive_text($n) {
	return sprintf("Archive post %03d says its number, %d, twice &amp; keeps &#8220;quotes&#8221;.", $n, $n);
}

if ($mode === 'publish') {
	/* A scheduled post going live: its status changes, not its
	 * modification time (what WordPress's cron does at its date). */
	$key = $argv[3];
	$found = get_posts(['post_type' => 'post', 'post_status' => 'any',
	    'meta_key' => '_capsule_key', 'meta_value' => $key, 'numberposts' => 1]);
	if (!$found)
		die("no post $key\n");
	wp_publish_post($found[0]->ID);
	clean_post_cache($found[0]->ID);
	$p = get_post($found[0]->ID);
	echo "published $key: $p->post_status, modified $p->post_modified\n";
	exit(0);
}
if ($mode === 'edit') {
	$key = $argv[3];
	$found = get_posts(['post_type' => 'post', 'post_status' => 'any',
	    'meta_key' => '_capsule_key', 'meta_value' => $key, 'numberposts' => 1]);
	if (!$found)
		die("no post $key\n");
	$r = wp_update_post(wp_slash(['ID' => $found[0]->ID, 'post_content' =>
	    $found[0]->post_content . "\n\n" . para("Edited through WordPress.")]), true);
	if (is_wp_error($r))
		die($r->get_error_message() . "\n");
	echo "edited $key\n";
	exit(0);
}

/* --- settings --- */
opt('blogname', 'MEK Support: a tag archive');
opt('blogdescription', 'Posts tagged ‘MEK Support’, served over Gemini and Gopher.');
opt('timezone_string', 'Europe/Berlin');	/* local days differ from UTC ones */
opt('gmt_offset', '');
opt('posts_per_rss', '10');
opt('posts_per_page', '10');
opt('rss_use_excerpt', '0');
opt('default_comment_status', 'closed');
opt('uploads_use_yearmonth_folders', '1');
if (get_option('permalink_structure') !== '/%year%/%monthnum%/%day%/%postname%/') {
	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
	/*
	 * Taxonomies add their archives' rules (/tag/NAME/) only when
	 * registered with permalinks on; on a fresh install they were not,
	 * and the flush below would leave every tag archive a 404.
	 */
	create_initial_taxonomies();
	$written++;
}
flush_rewrite_rules(false);
wp_delete_post(1, true);	/* "Hello world!" */
wp_delete_post(2, true);	/* "Sample Page" */
wp_delete_post(3, true);	/* the privacy policy draft */

/* --- the big tag archive --- */
$ann = user_for('Ann Archivist');
for ($n = 1; $n <= ARCHIVE; $n++) {
	$day = date('Y-m-d', strtotime("2020-01-01 +" . ($n - 1) . " days"));
	$ym = substr($day, 0, 4) . '/' . substr($day, 5, 2);
	$title = sprintf('Archive post %03d', $n);
	$body = [para(archive_text($n))];
	$extra = [];
	if ($n <= 3) {
		$id = picture("$ym/archive-$n.jpg", "Picture of archive post $n", $n);
		$body[] = image_block($id, "Picture of archive post $n", $n == 2 ? "Caption of archive post 2" : null);
	} elseif ($n == 4) {
		$extra['thumbnail'] = picture("$ym/featured-4.jpg", "Featured picture of archive post 4", 4);
	} elseif ($n == 5) {
		$id = picture("$ym/archive-5.jpg", "Picture of archive post 5", 5);
		$body = [archive_text($n), '[caption id="attachment_' . $id . '" align="alignnone" width="320"]<img class="size-full wp-image-' . $id . '" src="' . esc_url(url_of($id)) . '" alt="Picture of archive post 5" width="320" height="180" /> Caption of archive post 5[/caption]', 'A classic-editor paragraph after the picture.'];
		$body = [implode("\n\n", $body)];
	} elseif ($n == 6) {
		$a = picture("$ym/gallery-6a.jpg", "First gallery picture", 61);
		$b = picture("$ym/gallery-6b.jpg", "Second gallery picture", 62);
		$body[] = "<!-- wp:gallery {\"linkTo\":\"none\"} -->\n<figure class=\"wp-block-gallery has-nested-images columns-default is-cropped\">" .
		    image_block($a, "First gallery picture") . "\n" . image_block($b, "Second gallery picture") .
		    "</figure>\n<!-- /wp:gallery -->";
	} elseif ($n == 7) {
		$title = 'Archive post 007: <em>emphasis</em> &amp; an ampersand';
	}
	post("archive-$n", $extra + ['post_title' => $title, 'post_name' => sprintf('archive-post-%03d', $n),
	    'post_content' => implode("\n\n", $body), 'post_date' => "$day 00:30:00",
	    'post_author' => $ann, 'tags' => ['Big Archive', 'Filler']]);
}
/* Tagged, and never to be imported. */
$hidden = ['draft' => ['post_status' => 'draft'], 'pending' => ['post_status' => 'pending'],
    'private' => ['post_status' => 'private'],
    'future' => ['post_status' => 'future', 'post_date' => '2099-01-01 12:00:00'],
    'password' => ['post_status' => 'publish', 'post_password' => 'capsule']];
foreach ($hidden as $kind => $p)
	post("hidden-$kind", $p + ['post_title' => "Hidden $kind post", 'post_name' => "hidden-$kind",
	    'post_content' => para("SECRET-$kind: this text must never be imported."),
	    'post_date' => '2020-03-01 12:00:00', 'post_author' => $ann,
	    'tags' => ['Big Archive', 'Filler']]);
for ($n = 1; $n <= 3; $n++)
	post("outside-$n", ['post_title' => "Outside post $n", 'post_name' => "outside-post-$n",
	    'post_content' => para("OUTSIDE-$n: a post not in the tag."),
	    'post_date' => "2020-02-0$n 12:00:00", 'post_author' => $ann, 'tags' => ['Elsewhere']]);
post('page-about', ['post_type' => 'page', 'post_title' => 'About this site',
    'post_name' => 'about', 'post_content' => para('PAGE-ABOUT: a page, not a post.'),
    'post_date' => '2020-01-01 12:00:00', 'post_author' => $ann]);

/* --- the ten posts of content/ --- */
$plan = json_decode(file_get_contents(getenv('CAPSULE_WP_JSON')), true);
$up = wp_upload_dir();
foreach ($plan['posts'] as $i => $p) {
	$content = $p['content'];
	foreach ($p['uploads'] as $k => $src) {
		$rel = substr($src, strlen($plan['site'] . '/wp-content/uploads/'));
		$id = picture($rel, basename($rel), 100 + $i * 4 + $k);
		$content = str_replace($src, url_of($id), $content);
	}
	post('content-' . $p['slug'], ['post_title' => $p['title'], 'post_name' => $p['slug'],
	    'post_content' => $content, 'post_date' => $p['date'] . ' 10:14:07',
	    'post_author' => user_for($p['author']), 'tags' => $p['tags']]);
}
echo "fill: $written changes\n";
