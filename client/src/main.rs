fn main() {
    yew::Renderer::<hallpass_client::App>::new().render();
}
