from fulian_stats.cli import main

main()
