//! The hydration scripts of the shell: Leptos 0.8's `HydrationScripts` (a module preload of the JS, a
//! preload of the WebAssembly, and the nonce-carrying module script that loads both and hydrates), with
//! two differences.
//!
//! First, the page comes alive once the browser is idle (Leptos's own `defer` branch of the script, at
//! most 2 s after load) and the WebAssembly is not preloaded. Every page works without it (forms are plain
//! posts until it arrives), so the text and the forms paint first and the 600 KB module no longer competes
//! with the stylesheet at the highest priority on a slow link; Lighthouse's mobile profile counted that
//! download into the landing page's largest paint (3.9 s).
//!
//! Second, Leptos writes the CSP nonce into the `crossorigin`
//! attribute of both preload links (`crossorigin=nonce`, leptos-0.8 `src/hydration/mod.rs`), which puts a
//! script-enabling secret into an attribute that any CSS selector or markup-reading code can see. Here
//! the links say `crossorigin="anonymous"`, which is what a browser makes of the nonce value anyway (an
//! unknown value is the Anonymous state), so loading behaves exactly as before.
//!
//! The file names come from [`AssetNames`] (content-hashed in `cargo xtask` builds). Strongroom builds
//! without islands or split WebAssembly, so those branches of Leptos's component are not needed.

use crate::assets::AssetNames;
use leptos::prelude::*;

/// Leptos 0.8's `hydration_script.js`, unchanged: imports the JS, initialises the WebAssembly, hydrates.
const HYDRATION_JS: &str = r#"(function (root, pkg_path, output_name, wasm_output_name, defer) {
	const hydrate = () =>
		import(`${root}/${pkg_path}/${output_name}.js`)
			.then(mod => {
				mod.default({module_or_path: `${root}/${pkg_path}/${wasm_output_name}.wasm`}).then(() => {
					mod.hydrate();
				});
			});
	if (defer && "requestIdleCallback" in window) {
		// `timeout` is a backstop: a never-idle page would otherwise stay dead
		window.requestIdleCallback(hydrate, { timeout: 2000 });
	} else {
		hydrate();
	}
})"#;

#[component]
pub fn HydrationScripts(options: LeptosOptions, assets: AssetNames) -> impl IntoView {
    let js_file_name = assets.js.trim_end_matches(".js").to_owned();
    let wasm_file_name = assets.wasm.trim_end_matches(".wasm").to_owned();
    let pkg_path = options.site_pkg_dir.to_string();
    let root = String::new();
    let nonce = leptos::nonce::use_nonce();
    let script = format!("{HYDRATION_JS}({root:?}, {pkg_path:?}, {js_file_name:?}, {wasm_file_name:?}, true);");
    view! {
        <link rel="modulepreload" href=format!("{root}/{pkg_path}/{}", assets.js) crossorigin="anonymous"/>
        <script type="module" nonce=nonce>
            {script}
        </script>
    }
}
