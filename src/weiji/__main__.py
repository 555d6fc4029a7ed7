from weiji.cli import main

main()
